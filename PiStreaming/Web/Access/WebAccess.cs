using PiStreaming.Access;

namespace PiStreaming.Web.Access;

/// <summary>Who may watch (null in <see cref="WebSettings"/>: anyone who can reach the ports).</summary>
/// <param name="KeyDirectory">where the keys that sign the login cookies are kept (so logins outlive a restart).</param>
internal sealed record WebAccess(Credentials Credentials, string KeyDirectory);
