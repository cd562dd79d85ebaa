using System.Net;
using Microsoft.AspNetCore.Connections;

namespace PiStreaming.Web;

/// <summary>
/// Kestrel's socket transport with <see cref="ConnectionLimit"/> applied in its accept loop: a connection
/// past the limit is reset and disposed before the next accept, so a flood waits in the kernel's backlog
/// instead of taking descriptors. (A check in connection middleware comes too late: Kestrel accepts
/// ahead of its middleware, and under a flood the accepted sockets alone used up the descriptors.)
/// Each admitted connection gives its place back through <see cref="ReleaseOnEnd"/>.
/// </summary>
internal sealed class LimitedConnectionListener(IConnectionListener inner, ConnectionLimit limit) : IConnectionListener
{
    public EndPoint EndPoint => inner.EndPoint;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await inner.AcceptAsync(cancellationToken) is { } connection)
        {
            if (limit.TryEnter())
            {
                return connection;
            }

            connection.Abort(new ConnectionAbortedException("connection limit reached"));
            await connection.DisposeAsync();
        }

        return null;
    }

    /// <summary>Connection middleware (first on every listener) that frees the place when the connection ends.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> ReleaseOnEnd(ConnectionLimit limit) => next => async connection =>
    {
        try
        {
            await next(connection);
        }
        finally
        {
            limit.Leave();
        }
    };

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => inner.UnbindAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    /// <summary>Wraps the socket transport so that every listener it binds is limited.</summary>
    internal sealed class Factory(IConnectionListenerFactory sockets, ConnectionLimit limit) : IConnectionListenerFactory, IConnectionListenerFactorySelector
    {
        public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
            new LimitedConnectionListener(await sockets.BindAsync(endpoint, cancellationToken), limit);

        public bool CanBind(EndPoint endpoint) => sockets is not IConnectionListenerFactorySelector selector || selector.CanBind(endpoint);
    }
}
