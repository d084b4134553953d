using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Shop.Testing;

namespace Shop.Observability.Tests;

/// <summary>
/// Orders.Api, Payments.Worker and Notifications.Worker as three processes from their built dlls, as scripts/run.sh
/// starts them, each exporting its telemetry to the dashboard: one process per service, so each span reaches the
/// dashboard once, under its own service's name.
/// </summary>
public sealed class ShopProcesses : IAsyncDisposable
{
    readonly List<(string Name, Process Process, StringWriter Log)> _running = [];

    public HttpClient Api { get; private set; } = null!;

    public static async Task<ShopProcesses> Start(IntegrationEnvironment environment, AspireDashboard dashboard)
    {
        var settings = environment.WithTransport(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = dashboard.OtlpGrpc.ToString(),
            // Spans leave every half second instead of every five, so the test need not wait long for them.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["Messaging:DurableStore:PollInterval"] = "00:00:00.500",
            ["Payments:Gateway:Latency"] = "00:00:00.002",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        foreach (var (key, value) in TestTokens.Settings)
            settings[key] = value;

        var shop = new ShopProcesses();
        try
        {
            // The workers first: the API's events reach only queues that are already bound.
            await shop.StartService("Payments.Worker", settings, ("ConnectionStrings:Payments", await environment.CreateDatabase("payments")));
            await shop.StartService("Notifications.Worker", settings,
                ("ConnectionStrings:Notifications", await environment.CreateDatabase("notifications")));
            var orders = await environment.CreateDatabase("orders");
            var port = await shop.StartService("Orders.Api", settings, ("ConnectionStrings:Orders", orders),
                ("ConnectionStrings:ReadModel", await environment.CreateDatabase("readmodel")));
            // Staff read any order; each order is placed by a customer of its own (PlaceOrder).
            shop.Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) }
                .WithBearer(TestTokens.Staff());
            return shop;
        }
        catch
        {
            await shop.DisposeAsync();
            throw;
        }
    }

    async Task<int> StartService(string name, Dictionary<string, string?> settings, params (string Key, string Value)[] own)
    {
        var dll = Path.Combine(Repository.Root, "src", name, "bin", Repository.Configuration, "net10.0", $"Shop.{name}.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"{dll} is missing: build tests/Observability.Tests (it builds the services) with -c {Repository.Configuration}");

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings.Concat(own.Select(o => new KeyValuePair<string, string?>(o.Key, o.Value))))
            start.Environment[key.Replace(":", "__")] = value;

        var log = new StringWriter();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _running.Add((name, process, log));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Until(async () =>
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode}:\n{Read(log)}");
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}/health/ready");
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
        }, $"{name} to be ready", TimeSpan.FromMinutes(2), () => Read(log));
        return port;
    }

    public async Task<Guid> PlaceOrder(string cardToken, string sku)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new { items = new[] { new { sku, quantity = 1 } }, payment = new { cardToken } }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestTokens.Customer(Guid.NewGuid()));
        var response = await Api.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST /orders answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Accepted>())!.Id;
    }

    public async Task<string> OrderStatus(Guid id) => (await Api.GetFromJsonAsync<Accepted>($"/orders/{id}"))!.Status;

    sealed record Accepted(Guid Id, string Status);

    /// <summary>What the services wrote, for a failure message.</summary>
    public string Logs() => string.Join("\n", _running.Select(r => $"---- {r.Name}\n{Tail(Read(r.Log))}"));

    static string Read(StringWriter log) { lock (log) return log.ToString(); }
    static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        // SIGTERM-like stop is not available from .NET for a child; the services keep nothing in memory that matters.
        foreach (var (_, process, _) in Enumerable.Reverse(_running))
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
    }
}

static class Repository
{
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    public static string Root { get; } = Find();

    static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Shop.sln")))
                return directory.FullName;
        throw new DirectoryNotFoundException($"no Shop.sln above {AppContext.BaseDirectory}");
    }
}
