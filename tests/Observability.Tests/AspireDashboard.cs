using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using Shop.Testing;

namespace Shop.Observability.Tests;

/// <summary>
/// The Aspire dashboard as a real process, from the binary in the <c>Aspire.Dashboard.Sdk.linux-x64</c> package that
/// this project's restore downloads (or <c>SHOP_ASPIRE_DASHBOARD</c>). It receives OTLP on 127.0.0.1 without
/// authentication, as scripts/run.sh runs it, and answers its telemetry API (<c>/api/telemetry/*</c>).
/// </summary>
public sealed class AspireDashboard : IAsyncDisposable
{
    readonly Process _process;
    readonly StringWriter _log = new();

    AspireDashboard(Process process, Uri frontend, Uri otlpGrpc)
    {
        _process = process;
        Frontend = frontend;
        OtlpGrpc = otlpGrpc;
        Http = new HttpClient { BaseAddress = frontend, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri Frontend { get; }
    public Uri OtlpGrpc { get; }
    public HttpClient Http { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Where the binary is: <c>SHOP_ASPIRE_DASHBOARD</c>, else the package folder this project was restored with.</summary>
    public static string BinaryPath()
    {
        var configured = Environment.GetEnvironmentVariable("SHOP_ASPIRE_DASHBOARD");
        var path = !string.IsNullOrWhiteSpace(configured)
            ? configured
            : typeof(AspireDashboard).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "AspireDashboardPath").Value!;
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"The Aspire dashboard binary is missing at {path}. Restore this project (dotnet restore tests/Observability.Tests) " +
                "or run scripts/dashboard.sh, which downloads the Aspire.Dashboard.Sdk.linux-x64 package.", path);
        // Package extraction does not promise the executable bit on every platform's NuGet.
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute))
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        return path;
    }

    public static async Task<AspireDashboard> Start()
    {
        var binary = BinaryPath();
        var frontend = new Uri($"http://127.0.0.1:{FreePort()}");
        var grpc = new Uri($"http://127.0.0.1:{FreePort()}");
        var http = new Uri($"http://127.0.0.1:{FreePort()}");

        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(binary)!,
        };
        start.Environment["ASPNETCORE_URLS"] = frontend.ToString();
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = grpc.ToString();
        start.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = http.ToString();
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var process = new Process { StartInfo = start };
        var dashboard = new AspireDashboard(process, frontend, grpc);
        process.OutputDataReceived += (_, e) => dashboard.Append(e.Data);
        process.ErrorDataReceived += (_, e) => dashboard.Append(e.Data);
        if (!process.Start())
            throw new InvalidOperationException($"could not start {binary}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        await Eventually.Until(async () =>
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The dashboard exited with code {process.ExitCode}:\n{dashboard.Log}");
            try
            {
                using var response = await dashboard.Http.GetAsync("/api/telemetry/resources");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException) { return false; }
        }, $"the dashboard to answer at {frontend}", TimeSpan.FromMinutes(1), () => dashboard.Log);
        return dashboard;
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.WriteLine(line);
    }

    /// <summary>Every span the dashboard holds, with the service that sent it.</summary>
    public async Task<IReadOnlyList<DashboardSpan>> Spans()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync("/api/telemetry/spans"));
        return DashboardSpan.Read(document.RootElement);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
