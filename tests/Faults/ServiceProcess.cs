using System.Diagnostics;
using Shop.Testing;

namespace Shop.Faults;

/// <summary>
/// One service as a real process from its built dll, as scripts/run.sh starts it. A supervisor loop restarts it when
/// it dies on its own, as systemd or an orchestrator would, and counts those deaths.
/// </summary>
public sealed class ServiceProcess(string name, string dll, int port, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
    string logPath)
{
    readonly Lock _gate = new();
    Process? _process;
    bool _killing;
    bool _diedOnItsOwn;

    public string Name => name;
    public int Port => port;
    public int Kills { get; private set; }
    public List<string> UnexpectedExits { get; } = [];

    /// <summary>Raised when the running process exits without the suite having killed or stopped it.</summary>
    public event Action? DiedOnItsOwn;

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;

        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Exited += (_, _) =>
        {
            lock (log) log.WriteLine($"---- [faults] {name} exited ({DateTime.UtcNow:O})");
            bool died;
            lock (_gate)
            {
                died = !_killing && ReferenceEquals(_process, process);
                _diedOnItsOwn |= died;
            }

            if (died)
                DiedOnItsOwn?.Invoke();
        };
        lock (_gate)
        {
            // Before the start, so a process that dies at once is still seen as this one dying.
            _process = process;
            _killing = false;
            _diedOnItsOwn = false;
        }

        if (!process.Start())
            throw new InvalidOperationException($"could not start {name}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>kill -9: no shutdown hooks, messages in flight stay unacknowledged.</summary>
    public void Kill()
    {
        lock (_gate)
        {
            _killing = true;
            Kills++;
        }

        // Stays marked as killed until Start, so the supervisor does not count it or restart it first.
        _process?.Kill(entireProcessTree: false);
        _process?.WaitForExit();
    }

    /// <summary>Restarts the process if it died without being killed by the suite; returns true if it did.</summary>
    public bool RestartIfDied()
    {
        lock (_gate)
        {
            if (_killing || _process is null || !_diedOnItsOwn)
                return false;
            UnexpectedExits.Add($"{DateTime.UtcNow:HH:mm:ss} exit code {_process.ExitCode}");
        }

        Start();
        return true;
    }

    public Task WaitReady(HttpClient http, TimeSpan timeout) =>
        Eventually.Until(async () =>
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}/health/ready");
                return response.IsSuccessStatusCode;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, $"{name} to become ready on port {port} (see {logPath})", timeout);

    public void Stop()
    {
        lock (_gate)
            _killing = true;
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }
    }
}
