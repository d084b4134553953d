using System.Diagnostics;

namespace Shop.Standalone.Tests;

/// <summary>
/// The README's five-minute tour, run as written against the standalone host: a command that no longer works, or a
/// tour that no longer starts with the standalone command, fails here instead of on a newcomer's first day.
/// </summary>
public sealed class When_a_newcomer_follows_the_readme_tour : IDisposable
{
    const string RunCommand = "dotnet run --project src/Standalone";
    const string DocumentedApi = "http://127.0.0.1:5080";
    static readonly TimeSpan TourTimeout = TimeSpan.FromMinutes(3);

    readonly string _data = Path.Combine(Path.GetTempPath(), $"shop-tour-data-{Guid.NewGuid():N}");
    readonly string _workingDirectory = Path.Combine(Path.GetTempPath(), $"shop-tour-{Guid.NewGuid():N}");

    [Fact]
    public async Task Should_run_every_command_of_the_tour_against_the_standalone_host()
    {
        var tour = TourScript();
        Assert.Contains(RunCommand, tour);

        await using var shop = await StandaloneProcess.Start(_data);

        // The tour runs from the repository root; here a scratch copy of what it reads, so its output stays out of the tree.
        var sample = Path.Combine("tests", "Images.Tests", "Samples", "sample.gif");
        Directory.CreateDirectory(Path.Combine(_workingDirectory, Path.GetDirectoryName(sample)!));
        File.Copy(Path.Combine(RepositoryRoot, sample), Path.Combine(_workingDirectory, sample));

        string[] script =
        [
            "set -eu",
            // Every HTTP error fails the tour, not only an unreachable host.
            "curl() { command curl --fail-with-body --max-time 30 \"$@\"; }",
            .. tour.Split('\n')
                .Where(line => !line.Contains(RunCommand, StringComparison.Ordinal))
                .Select(line => line.Replace(DocumentedApi, shop.Api.ToString().TrimEnd('/'), StringComparison.Ordinal)),
        ];

        var (exitCode, output) = await Bash(string.Join('\n', script));

        Assert.True(exitCode == 0, $"The README tour failed (exit code {exitCode}):\n{output}\nThe shop's output:\n{shop.Output}");
        var thumbnail = await File.ReadAllBytesAsync(Path.Combine(_workingDirectory, "thumb.jpg"));
        Assert.True(thumbnail is [0xFF, 0xD8, 0xFF, ..], "thumb.jpg is not a JPEG");
        Assert.Contains("\"status\":\"Confirmed\"", output);
        Assert.Contains("\"status\":\"Processed\"", output);
    }

    /// <summary>The first bash block under the README's tour heading.</summary>
    static string TourScript()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot, "README.md"));
        var section = readme.IndexOf("## A five-minute tour", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no \"## A five-minute tour\" section");
        var start = readme.IndexOf("```bash\n", section, StringComparison.Ordinal) + "```bash\n".Length;
        var end = readme.IndexOf("\n```", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    async Task<(int ExitCode, string Output)> Bash(string script)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = _workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEndAsync();
        var error = bash.StandardError.ReadToEndAsync();
        await bash.StandardInput.WriteAsync(script);
        bash.StandardInput.Close();

        using var timeout = new CancellationTokenSource(TourTimeout);
        try
        {
            await bash.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            bash.Kill(entireProcessTree: true);
            await bash.WaitForExitAsync();
            Assert.Fail($"The README tour did not finish within {TourTimeout}:\n{await output}\n{await error}");
        }

        return (bash.ExitCode, $"{await output}\n{await error}");
    }

    static string RepositoryRoot { get; } = FindRepositoryRoot();

    static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Shop.sln")))
                return directory.FullName;
        }

        throw new InvalidOperationException($"No Shop.sln above {AppContext.BaseDirectory}: the test reads the README it was built with.");
    }

    public void Dispose()
    {
        foreach (var directory in new[] { _data, _workingDirectory })
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }
}
