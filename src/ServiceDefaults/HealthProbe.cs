using System.Globalization;

namespace Shop.ServiceDefaults;

/// <summary>
/// The service binary as its own health check: <c>dotnet Shop.X.dll --probe [url | path]</c> asks the running service's
/// health endpoint (default <c>/health/live</c> on the first port of <c>ASPNETCORE_HTTP_PORTS</c>, else 8080) and exits
/// 0 when it answers 2xx, 1 when it does not, 2 when the arguments make no sense. Runtime images carry no curl or wget,
/// so this is what the Dockerfile's <c>HEALTHCHECK</c> and the compose health checks run.
/// </summary>
public static class HealthProbe
{
    public const string Argument = "--probe";
    public const string DefaultPath = "/health/live";
    public const int DefaultPort = 8080;

    public const int Healthy = 0;
    public const int Unhealthy = 1;
    public const int Usage = 2;

    /// <summary>Shorter than the container platforms' usual 5 s check timeout, so the probe reports before it is killed.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Call first thing in <c>Program.cs</c>: when the first argument is <c>--probe</c>, probes, sets the process exit
    /// code and returns true (the caller returns without building the host); otherwise returns false and does nothing.
    /// </summary>
    public static async Task<bool> TryRun(string[] args)
    {
        if (args.Length == 0 || !string.Equals(args[0], Argument, StringComparison.Ordinal))
            return false;

        Environment.ExitCode = await RunAsync(args[1..], Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS"),
            Console.Out, DefaultTimeout, CancellationToken.None);
        return true;
    }

    /// <summary>Probes the endpoint named by <paramref name="arguments"/> (what follows <c>--probe</c>) and returns the exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> arguments, string? httpPorts, TextWriter output, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var target = arguments.Count <= 1 ? ResolveTarget(arguments.Count == 1 ? arguments[0] : null, httpPorts) : null;
        if (target is null)
        {
            await output.WriteLineAsync($"usage: {Argument} [http://host:port/path | /path]  (default {DefaultPath} on the first port of ASPNETCORE_HTTP_PORTS)");
            return Usage;
        }

        using var client = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await client.GetAsync(target, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var healthy = response.IsSuccessStatusCode;
            await output.WriteLineAsync($"{(healthy ? "healthy" : "unhealthy")}: GET {target} answered {(int)response.StatusCode} {Shorten(body)}");
            return healthy ? Healthy : Unhealthy;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            await output.WriteLineAsync($"unhealthy: GET {target} failed: {exception.GetBaseException().Message}");
            return Unhealthy;
        }
    }

    /// <summary>
    /// An absolute http(s) URL is taken as it is; a path (or nothing: <see cref="DefaultPath"/>) goes to 127.0.0.1 on the
    /// first port of <paramref name="httpPorts"/> (<c>ASPNETCORE_HTTP_PORTS</c>, e.g. <c>8080;8081</c>). Null when unusable.
    /// </summary>
    public static Uri? ResolveTarget(string? target, string? httpPorts)
    {
        if (string.IsNullOrWhiteSpace(target))
            target = DefaultPath;

        if (target.StartsWith('/'))
            return new Uri($"http://127.0.0.1:{FirstPort(httpPorts)}{target}");

        return Uri.TryCreate(target, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : null;
    }

    static int FirstPort(string? httpPorts)
    {
        var first = httpPorts?.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : DefaultPort;
    }

    static string Shorten(string body)
    {
        body = body.ReplaceLineEndings(" ").Trim();
        return body.Length <= 200 ? body : body[..200] + "…";
    }
}
