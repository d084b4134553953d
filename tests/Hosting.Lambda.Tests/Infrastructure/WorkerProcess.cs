using System.Diagnostics;
using System.Text;
using Shop.Testing;

namespace Shop.Hosting.Lambda.Tests.Infrastructure;

/// <summary>
/// A built worker started as Lambda starts a container image's entry point: <c>dotnet Shop.X.dll</c> with
/// <c>AWS_LAMBDA_RUNTIME_API</c> set. Its output is kept for failure messages; it is killed on dispose.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    WorkerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public bool HasExited => _process.HasExited;

    public static WorkerProcess Start(string assemblyFile, IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assemblyFile));
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        return new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException($"dotnet {assemblyFile} did not start."));
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await Eventually.Completes(_process.WaitForExitAsync(), "the worker to exit", timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
