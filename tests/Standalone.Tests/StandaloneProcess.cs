using Shop.Identity;
using Shop.Testing;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Shop.Standalone.Tests;

/// <summary>
/// The standalone shop as a person runs it: its built binary in a process of its own (<c>dotnet Shop.Standalone.dll</c>),
/// on a data folder the test chooses and a port the system chooses, found through the banner it prints.
/// </summary>
public sealed partial class StandaloneProcess : IAsyncDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(45);

    readonly Process _process;
    readonly StringBuilder _output = new();
    readonly TaskCompletionSource<Uri> _api = new(TaskCreationOptions.RunContinuationsAsynchronously);

    StandaloneProcess(Process process) => _process = process;

    public Uri Api { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Tokens of the standalone shop's local issuer, which signs with the public development key.</summary>
    public static LocalTokenIssuer Tokens { get; } = new(LocalTokenIssuer.DevelopmentSigningKey);

    /// <summary>An operator who is also a catalog admin; <see cref="Client"/> carries it.</summary>
    public static string StaffToken { get; } = Tokens.Issue(new TokenRequest("staff", [ShopRoles.Operator, ShopRoles.CatalogAdmin]));

    /// <summary>The API as the customer <paramref name="customerId"/>.</summary>
    public HttpClient CustomerClient(Guid customerId, string email = "ann@example.com") => ClientWith(Tokens.Customer(customerId, email));

    HttpClient ClientWith(string token) =>
        new HttpClient { BaseAddress = Api, Timeout = TimeSpan.FromSeconds(30) }.WithBearer(token);

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static string Binary =>
        typeof(StandaloneProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "StandaloneBinary").Value!;

    public static async Task<StandaloneProcess> Start(string dataFolder, params string[] settings)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: the test project references src/Standalone, so the build should have made it");

        var start = new ProcessStartInfo("dotnet")
        {
            // Anywhere but the binary's folder: the host must find its settings and put the data where it is told.
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[Binary, "--urls", "http://127.0.0.1:0", $"--Standalone:DataPath={dataFolder}", .. settings])
            start.ArgumentList.Add(argument);
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");

        var standalone = new StandaloneProcess(Process.Start(start)!);
        standalone._process.OutputDataReceived += (_, e) => standalone.Received(e.Data);
        standalone._process.ErrorDataReceived += (_, e) => standalone.Received(e.Data);
        standalone._process.BeginOutputReadLine();
        standalone._process.BeginErrorReadLine();

        var exited = standalone._process.WaitForExitAsync();
        string? failure = null;
        try
        {
            if (await Eventually.Completes(Task.WhenAny(standalone._api.Task, exited), "its API address", StartTimeout) == exited)
                failure = $"exited with code {standalone._process.ExitCode}";
        }
        catch (TimeoutException)
        {
            failure = $"printed no API address within {StartTimeout}";
        }

        if (failure is not null)
        {
            await standalone.DisposeAsync();
            Assert.Fail($"The standalone shop {failure}. Its output:\n{standalone.Output}");
        }

        standalone.Api = await standalone._api.Task;
        standalone.Client = standalone.ClientWith(StaffToken);
        return standalone;
    }

    void Received(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);

        // "  API:        http://127.0.0.1:40123        (try: ...)"
        var trimmed = line.TrimStart();
        if (trimmed.StartsWith("API:", StringComparison.Ordinal))
            _api.TrySetResult(new Uri(trimmed["API:".Length..].TrimStart().Split(' ')[0]));
    }

    /// <summary>Stops it the way Ctrl+C or a service manager does (SIGTERM) and waits for a clean exit.</summary>
    public async Task Stop()
    {
        Assert.Equal(0, Kill(_process.Id, SigTerm));
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The standalone shop did not stop within {StopTimeout} of SIGTERM. Its output:\n{Output}");
        }

        Assert.True(_process.ExitCode == 0, $"The standalone shop exited with code {_process.ExitCode}. Its output:\n{Output}");
    }

    const int SigTerm = 15;

    // .NET can only SIGKILL another process; a graceful stop needs the signal a terminal or service manager sends.
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
