using System.ComponentModel;
using System.Diagnostics;

namespace Shop.Deployment.Tests.Infrastructure;

public sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

public static class ProcessRunner
{
    /// <summary>Runs a program to its end (killed after <paramref name="timeout"/>); null when the program is not installed.</summary>
    public static async Task<ProcessResult?> TryRun(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory ?? Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception)
        {
            return null;
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var cancellation = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}.");
            }

            return new ProcessResult(process.ExitCode, await output, await error);
        }
    }
}

/// <summary>Debian's <c>docker-compose</c> 1.29.2, which parses and validates a compose file without a Docker engine.</summary>
public static class DockerCompose
{
    public const string Package = "docker-compose";

    public static async Task<ProcessResult> Run(params string[] arguments)
    {
        var result = await ProcessRunner.TryRun("docker-compose", arguments, TimeSpan.FromMinutes(1),
            // Interpolation must see the file's defaults, not whatever the developer's shell happens to export.
            environment: new Dictionary<string, string?>
            {
                ["SHOP_MESSAGING_TRANSPORT"] = null,
                ["SHOP_BLOB_PROVIDER"] = null,
                ["COMPOSE_PROFILES"] = null,
                ["COMPOSE_FILE"] = null,
            });
        return result ?? throw new InvalidOperationException(
            $"The docker-compose binary is not installed, so {ComposeFile.FileName} cannot be validated. " +
            $"Install Debian's package: `apt-get install {Package}` (version 1.29.2; it needs no Docker engine to run `config`).");
    }
}
