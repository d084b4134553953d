using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shop.Testing;

namespace Shop.Hosting.Lambda.Tests.Infrastructure;

/// <summary>What the runtime answered to one invocation.</summary>
public sealed record InvocationResult(string RequestId, JsonNode? Response, JsonNode? Error, string? ErrorType);

/// <summary>
/// The Lambda Runtime API (2018-06-01) as AWS documents it for custom runtimes, played by the test: <c>GET
/// runtime/invocation/next</c> blocks until the test invokes, then hands out the event with the request id, deadline,
/// function ARN and trace headers; <c>POST runtime/invocation/{id}/response</c> and <c>/error</c> complete that
/// invocation; <c>POST runtime/init/error</c> records a failed initialisation. Nothing of the worker is faked: it is
/// the worker that speaks to this peer.
/// </summary>
public sealed class RuntimeApiPeer : IAsyncDisposable
{
    const string Prefix = "/2018-06-01/runtime";

    readonly Channel<(string Id, DateTimeOffset Deadline, byte[] Event)> _pending = Channel.CreateUnbounded<(string, DateTimeOffset, byte[])>();
    readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResult>> _results = new();
    readonly TaskCompletionSource<InvocationResult> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource _firstNext = new(TaskCreationOptions.RunContinuationsAsynchronously);
    WebApplication _app = null!;

    public string Endpoint { get; private set; } = "";

    public const string FunctionArn = "arn:aws:lambda:us-east-1:000000000000:function:shop-test-payments";

    /// <summary>Completes when the runtime first asks for an invocation: it has initialised.</summary>
    public Task Initialised => _firstNext.Task;

    public Task<InvocationResult> InitError => _initError.Task;

    public static async Task<RuntimeApiPeer> StartAsync()
    {
        var peer = new RuntimeApiPeer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        peer._app = builder.Build();
        peer.Map(peer._app);
        await peer._app.StartAsync();
        var address = peer._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        peer.Endpoint = new Uri(address).Authority;
        return peer;
    }

    /// <summary>Queues an invocation and waits for the runtime's answer to it.</summary>
    public async Task<InvocationResult> InvokeAsync(JsonNode sqsEvent, TimeSpan deadlineIn, TimeSpan? wait = null)
    {
        var id = Guid.NewGuid().ToString();
        var result = _results.GetOrAdd(id, _ => new TaskCompletionSource<InvocationResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _pending.Writer.WriteAsync((id, DateTimeOffset.UtcNow + deadlineIn, System.Text.Encoding.UTF8.GetBytes(sqsEvent.ToJsonString())));
        return await Eventually.Completes(result.Task, $"the result of invocation {id}", wait ?? TimeSpan.FromMinutes(2));
    }

    void Map(WebApplication app)
    {
        app.MapGet(Prefix + "/invocation/next", async (HttpContext http) =>
        {
            _firstNext.TrySetResult();
            var (id, deadline, body) = await _pending.Reader.ReadAsync(http.RequestAborted);
            http.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = id;
            http.Response.Headers["Lambda-Runtime-Deadline-Ms"] = deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            http.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = FunctionArn;
            http.Response.Headers["Lambda-Runtime-Trace-Id"] = $"Root=1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{Guid.NewGuid().ToString("N")[..24]};Sampled=0";
            http.Response.ContentType = "application/json";
            await http.Response.Body.WriteAsync(body, http.RequestAborted);
        });

        app.MapPost(Prefix + "/invocation/{id}/response", async (string id, HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body);
            return Complete(id, new InvocationResult(id, body, null, null));
        });

        app.MapPost(Prefix + "/invocation/{id}/error", async (string id, HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body);
            return Complete(id, new InvocationResult(id, null, body, http.Request.Headers["Lambda-Runtime-Function-Error-Type"]));
        });

        app.MapPost(Prefix + "/init/error", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body);
            _initError.TrySetResult(new InvocationResult("init", null, body, http.Request.Headers["Lambda-Runtime-Function-Error-Type"]));
            return Results.Accepted();
        });
    }

    IResult Complete(string id, InvocationResult result)
    {
        // AWS answers a second answer to the same invocation, or one to an unknown id, with an error.
        if (!_results.TryGetValue(id, out var pending) || !pending.TrySetResult(result))
            return Results.BadRequest(new { errorType = "InvalidRequestID", errorMessage = $"no invocation {id} is waiting for an answer" });
        return Results.Accepted();
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _app.DisposeAsync();
    }
}
