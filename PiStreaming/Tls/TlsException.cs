namespace PiStreaming.Tls;

/// <summary>A certificate, key or data directory that cannot be used; the message is one line for the user.</summary>
internal sealed class TlsException(string message) : Exception(message);
