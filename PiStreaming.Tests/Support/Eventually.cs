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

    /// <summary>Polls <paramref name="condition"/> (which may ask the server) until it holds; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(timeout), $"not within {timeout.TotalSeconds:0} s: {what}");
            await Task.Delay(50);
        }
    }
}
