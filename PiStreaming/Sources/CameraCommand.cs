namespace PiStreaming.Sources;

/// <summary>
/// A helper program that writes raw frames (or the camera's own H.264) to its stdout: a camera tool, or
/// ffmpeg reading a webcam or a file. Also says what to tell the user when it is missing or stops.
/// </summary>
/// <param name="Name">for log lines, e.g. "Raspberry Pi camera".</param>
/// <param name="Programs">program names tried in order on PATH (or full paths); the first found runs.</param>
/// <param name="Arguments">its command line.</param>
/// <param name="Layout">how it lays out each frame, padding included.</param>
/// <param name="FlipsFrames">the program applies the requested flips itself.</param>
/// <param name="WhenMissing">what to do when none of <paramref name="Programs"/> is found.</param>
/// <param name="WhenStopped">what to check when the program fails or ends.</param>
/// <param name="DeliversH264">it writes H.264 (annex B) instead of raw frames; <paramref name="Layout"/> then only names the size.</param>
internal sealed record CameraCommand(
    string Name,
    IReadOnlyList<string> Programs,
    IReadOnlyList<string> Arguments,
    FrameLayout Layout,
    bool FlipsFrames,
    string WhenMissing,
    string WhenStopped,
    bool DeliversH264 = false);
