using System.Diagnostics;

namespace PiStreaming.Tests.Support;

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(timeout), $"not within {timeout.TotalSeconds:0} s: {what}");
            await Task.Delay(50);
        }
    }
}
