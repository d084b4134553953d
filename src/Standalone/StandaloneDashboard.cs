using System.Diagnostics;

namespace Shop.Standalone;

/// <summary>
/// <c>--dashboard</c>: the Aspire dashboard beside the standalone host, on 127.0.0.1 only and so without
/// authentication, with the host's traces, metrics and logs sent to it. Opt-in, since the standalone mode promises
/// nothing but the .NET SDK: the dashboard is a NuGet package (Aspire.Dashboard.Sdk.linux-x64), which the SDK itself
/// downloads on first use through a throw-away project.
/// </summary>
public static class StandaloneDashboard
{
    public const string Switch = "--dashboard";
    const string Package = "aspire.dashboard.sdk.linux-x64";
    const string Version = "13.6.5";
    public const string Url = "http://127.0.0.1:18888";
    const string OtlpGrpc = "http://127.0.0.1:4317";
    const string OtlpHttp = "http://127.0.0.1:4318";

    /// <summary>Starts the dashboard if <paramref name="args"/> ask for it; returns the arguments without the switch.</summary>
    public static string[] StartIfAsked(string[] args, out Process? dashboard)
    {
        dashboard = null;
        if (!args.Contains(Switch))
            return args;

        Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT", OtlpGrpc);
        Environment.SetEnvironmentVariable("OTEL_SERVICE_NAME", "Shop.Standalone");
        var remaining = args.Where(arg => arg != Switch).ToArray();
        if (AlreadyRunning())
            return remaining; // scripts/dashboard.sh's, or one left from an earlier run: export to it

        var binary = EnsureInstalled();
        var start = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(binary)! };
        start.Environment["ASPNETCORE_URLS"] = Url;
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = OtlpGrpc;
        start.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = OtlpHttp;
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        dashboard = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        // Its own log would interleave with the host's; what it says is in the banner.
        dashboard.OutputDataReceived += (_, _) => { };
        dashboard.ErrorDataReceived += (_, _) => { };
        dashboard.BeginOutputReadLine();
        dashboard.BeginErrorReadLine();
        return remaining;
    }

    static bool AlreadyRunning()
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            client.Connect("127.0.0.1", new Uri(Url).Port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    static string EnsureInstalled()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var binary = Path.Combine(packages, Package, Version, "tools", "Aspire.Dashboard");
        if (File.Exists(binary))
            return binary;

        Console.WriteLine($"Downloading the Aspire dashboard ({Package} {Version}) from NuGet, once ...");
        var project = Directory.CreateTempSubdirectory("shop-dashboard-");
        try
        {
            File.WriteAllText(Path.Combine(project.FullName, "Dashboard.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
                  <ItemGroup><PackageDownload Include="{Package}" Version="[{Version}]" /></ItemGroup>
                </Project>
                """);
            using var restore = Process.Start(new ProcessStartInfo("dotnet", ["restore", "-v", "quiet", project.FullName]) { UseShellExecute = false })!;
            restore.WaitForExit();
            if (restore.ExitCode != 0 || !File.Exists(binary))
                throw new InvalidOperationException($"The Aspire dashboard could not be installed (dotnet restore exited {restore.ExitCode}); expected {binary}.");
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(binary, File.GetUnixFileMode(binary) | UnixFileMode.UserExecute);
            return binary;
        }
        finally
        {
            project.Delete(recursive: true);
        }
    }
}
