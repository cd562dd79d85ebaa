namespace PiStreaming.Options;

/// <summary>
/// How hard the server works against the two frame intervals of waiting in an MPEG-1/jsmpg.js
/// pipeline (see README, "Latency modes").
/// </summary>
internal enum LatencyMode
{
    /// <summary>
    /// ffmpeg releases each picture as soon as it is encoded, and each message ends with the next
    /// picture's start code so jsmpg.js draws a picture the moment it arrives.
    /// </summary>
    Low,

    /// <summary>What the original server did: each picture waits for the next frame twice.</summary>
    Classic,
}
