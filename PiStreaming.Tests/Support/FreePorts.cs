using System.Net;
using System.Net.Sockets;

namespace PiStreaming.Tests.Support;

/// <summary>Loopback ports that were free a moment ago, for a server that must come back on the same ports.</summary>
internal static class FreePorts
{
    public static int[] Pick(int count)
    {
        // All held open together, so the same port is not handed out twice.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
