// The tests drive real processes, signals and /proc: they run on Linux (as the server does on a Pi).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
