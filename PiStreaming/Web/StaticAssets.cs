namespace PiStreaming.Web;

/// <summary>The page template, the status page and the jsmpg.js decoder, loaded once at start-up.</summary>
internal sealed record StaticAssets(string IndexTemplate, string StatusPage, byte[] Decoder)
{
    /// <summary>Where the build copies static/index.html, static/status.html and jsmpg.js (from the npm package jsmpeg).</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "static");

    /// <exception cref="FileNotFoundException">a file is missing; the message says how to get it.</exception>
    public static StaticAssets Load(string directory)
    {
        var index = Path.Combine(directory, "index.html");
        var status = Path.Combine(directory, "status.html");
        var decoder = Path.Combine(directory, "jsmpg.js");
        foreach (var page in new[] { index, status })
        {
            if (!File.Exists(page))
            {
                throw new FileNotFoundException($"page not found at {page}; build with ./build.sh", page);
            }
        }

        if (!File.Exists(decoder))
        {
            throw new FileNotFoundException($"jsmpg.js not found at {decoder}; ./build.sh installs it from the npm package jsmpeg@1.0.0", decoder);
        }

        return new StaticAssets(File.ReadAllText(index), File.ReadAllText(status), File.ReadAllBytes(decoder));
    }
}
