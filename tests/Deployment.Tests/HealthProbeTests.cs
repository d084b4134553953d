using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shop.Deployment.Tests.Infrastructure;
using Shop.ServiceDefaults;

namespace Shop.Deployment.Tests;

/// <summary>
/// The built service binaries, run the way the image's entry point and health check and compose's health checks run them
/// (<c>dotnet Shop.X.dll --probe /health/ready</c>), against a stand-in that answers like a healthy or unhealthy service.
/// </summary>
public sealed class HealthProbeTests : IAsyncLifetime
{
    WebApplication _standIn = null!;
    int _port;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _standIn = builder.Build();
        _standIn.MapGet("/health/live", () => Results.Text("Healthy"));
        _standIn.MapGet("/health/ready", () => Results.Text("Unhealthy", statusCode: StatusCodes.Status503ServiceUnavailable));
        await _standIn.StartAsync();
        var address = _standIn.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        _port = new Uri(address).Port;
    }

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public async Task Should_exit_zero_when_the_service_answers_healthy_on_the_port_it_listens_on(string project)
    {
        var result = await Probe(project, "/health/live");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("healthy: GET", result.Output);
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public async Task Should_exit_one_when_the_service_answers_unhealthy(string project)
    {
        var result = await Probe(project, "/health/ready");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("503", result.Output);
    }

    [Fact]
    public async Task Should_exit_one_when_nothing_listens()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await Probe(ShopServices.PaymentsWorker.Project, $"http://127.0.0.1:{closedPort}/health/live");

        Assert.True(result.ExitCode == 1, result.ToString());
    }

    [Fact]
    public async Task Should_exit_two_when_the_target_is_not_an_http_url_or_a_path()
    {
        var result = await Probe(ShopServices.NotificationsWorker.Project, "ftp://127.0.0.1/health/live");

        Assert.True(result.ExitCode == 2, result.ToString());
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public async Task Should_answer_the_image_health_check_with_its_own_binary(string project)
    {
        var image = DockerfileTests.ImageOf(project);
        var healthcheck = image.InFinalStage("HEALTHCHECK").Single().Arguments;
        var command = healthcheck[(healthcheck.IndexOf("CMD ", StringComparison.Ordinal) + 4)..];

        // The shell form, as Docker runs it: /bin/sh -c, in the image's working directory and environment.
        var result = await RunAsTheImage(image, "/bin/sh", ["-c", command]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("healthy: GET", result.Output);
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public async Task Should_pass_the_container_command_through_the_image_entry_point_to_its_own_binary(string project)
    {
        var image = DockerfileTests.ImageOf(project);
        var entryPoint = image.InFinalStage("ENTRYPOINT").Single().Words;

        // `docker run image --probe /health/ready`: the command is appended to the exec-form entry point.
        var result = await RunAsTheImage(image, entryPoint[0], [.. entryPoint.Skip(1), HealthProbe.Argument, "/health/ready"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("503", result.Output);
    }

    [Fact]
    public void Should_default_to_liveness_on_the_first_configured_http_port()
    {
        Assert.Equal(new Uri("http://127.0.0.1:8080/health/live"), HealthProbe.ResolveTarget(null, null));
        Assert.Equal(new Uri("http://127.0.0.1:5081/health/live"), HealthProbe.ResolveTarget("", "5081;5082"));
        Assert.Equal(new Uri("http://127.0.0.1:8080/health/ready"), HealthProbe.ResolveTarget("/health/ready", "not-a-port"));
        Assert.Equal(new Uri("http://10.0.0.5:9000/alive"), HealthProbe.ResolveTarget("http://10.0.0.5:9000/alive", "8080"));
        Assert.Null(HealthProbe.ResolveTarget("health/live", "8080"));
    }

    [Fact]
    public async Task Should_leave_a_normal_start_alone()
    {
        Assert.False(await HealthProbe.TryRun([]));
        Assert.False(await HealthProbe.TryRun(["--urls", "http://127.0.0.1:5080"]));
    }

    /// <summary>
    /// Runs a command of the image with the image's runtime environment, in the test output, which holds every service's
    /// published-alike binaries as /app does one; the port is the stand-in's instead of 8080.
    /// </summary>
    async Task<ProcessResult> RunAsTheImage(DockerfileModel image, string fileName, IEnumerable<string> arguments)
    {
        var environment = image.RuntimeEnvironment.ToDictionary(e => e.Key, e => (string?)e.Value);
        environment["ASPNETCORE_HTTP_PORTS"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = await ProcessRunner.TryRun(fileName, arguments, TimeSpan.FromSeconds(30), workingDirectory: AppContext.BaseDirectory, environment: environment);
        return result ?? throw new InvalidOperationException($"{fileName} is not on PATH");
    }

    /// <summary>Runs the service's own binary from the test output (built by the project reference) with <c>--probe</c>.</summary>
    async Task<ProcessResult> Probe(string project, string target)
    {
        var service = ShopServices.Named(project);
        var binary = Path.Combine(AppContext.BaseDirectory, service.AssemblyFile);
        Assert.True(File.Exists(binary), $"{binary} is missing: the test project references {project}, so it should have been built");

        var result = await ProcessRunner.TryRun("dotnet", [binary, HealthProbe.Argument, target], TimeSpan.FromSeconds(30),
            workingDirectory: AppContext.BaseDirectory,
            environment: new Dictionary<string, string?> { ["ASPNETCORE_HTTP_PORTS"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return result ?? throw new InvalidOperationException("dotnet is not on PATH");
    }
}
