using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Shop.Hosting.Lambda;

/// <summary>One invocation as the Runtime API hands it out.</summary>
/// <param name="Deadline">When Lambda stops the invocation (<c>Lambda-Runtime-Deadline-Ms</c>).</param>
/// <param name="TraceId">The X-Ray trace header (<c>Lambda-Runtime-Trace-Id</c>), if any.</param>
public sealed record LambdaInvocation(string RequestId, DateTimeOffset Deadline, string? TraceId, string? FunctionArn, byte[] Event);

/// <summary>
/// The Lambda Runtime API (version 2018-06-01) as AWS documents it for custom runtimes: ask for the next invocation,
/// answer it with a response or an error, or report that initialisation failed. The endpoint comes from
/// <c>AWS_LAMBDA_RUNTIME_API</c>, which Lambda sets in every execution environment.
/// </summary>
public sealed class LambdaRuntimeClient(HttpClient http) : IDisposable
{
    public const string EndpointVariable = "AWS_LAMBDA_RUNTIME_API";
    const string Version = "2018-06-01";
    const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    /// <param name="endpoint"><c>host:port</c>, as in <c>AWS_LAMBDA_RUNTIME_API</c>.</param>
    public static LambdaRuntimeClient Create(string endpoint) =>
        // The next-invocation call blocks until there is one, for as long as the environment is idle.
        new(new HttpClient { BaseAddress = new Uri($"http://{endpoint}/{Version}/"), Timeout = Timeout.InfiniteTimeSpan });

    public async Task<LambdaInvocation> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("runtime/invocation/next", cancellationToken);
        response.EnsureSuccessStatusCode();

        var requestId = Header(response, "Lambda-Runtime-Aws-Request-Id")
                        ?? throw new InvalidOperationException("The Runtime API sent an invocation without Lambda-Runtime-Aws-Request-Id.");
        var deadline = long.TryParse(Header(response, "Lambda-Runtime-Deadline-Ms"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : throw new InvalidOperationException($"Invocation {requestId} has no valid Lambda-Runtime-Deadline-Ms.");
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new LambdaInvocation(requestId, deadline, Header(response, "Lambda-Runtime-Trace-Id"),
            Header(response, "Lambda-Runtime-Invoked-Function-Arn"), body);
    }

    public async Task RespondAsync(string requestId, byte[] payload, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/response", content, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public Task ErrorAsync(string requestId, Exception error, CancellationToken cancellationToken) =>
        PostErrorAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/error", error, cancellationToken);

    /// <summary>After this, Lambda ends the execution environment; the process should exit.</summary>
    public Task InitErrorAsync(Exception error, CancellationToken cancellationToken) =>
        PostErrorAsync("runtime/init/error", error, cancellationToken);

    async Task PostErrorAsync(string path, Exception error, CancellationToken cancellationToken)
    {
        var type = error.GetType().Name;
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorBody(error.Message, type,
            (error.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TryAddWithoutValidation(ErrorTypeHeader, "Unhandled." + type);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    sealed record ErrorBody(
        [property: System.Text.Json.Serialization.JsonPropertyName("errorMessage")] string ErrorMessage,
        [property: System.Text.Json.Serialization.JsonPropertyName("errorType")] string ErrorType,
        [property: System.Text.Json.Serialization.JsonPropertyName("stackTrace")] string[] StackTrace);

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => http.Dispose();
}
