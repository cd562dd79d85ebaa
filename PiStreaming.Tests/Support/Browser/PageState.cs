using System.Text.RegularExpressions;

namespace PiStreaming.Tests.Support;

/// <summary>What the page's state overlay (#state) says.</summary>
internal static partial class PageState
{
    /// <summary>"live · 24 fps": pictures drawn in the last second, captured as group 1.</summary>
    [GeneratedRegex(@"^live · (\d+) fps$")]
    public static partial Regex LiveWithRate();
}
