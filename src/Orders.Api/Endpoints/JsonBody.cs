using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Shop.Orders.Api.Endpoints;

/// <summary>
/// A JSON request body, bound as a parameter, that names what is wrong with it instead of the framework's bare 400:
/// 415 for another media type, 413 past the endpoint's <see cref="IRequestSizeLimitMetadata"/>, and a validation problem
/// keyed by the JSON path of a value that cannot be read.
/// </summary>
public sealed class JsonBody<T> where T : class
{
    JsonBody(T? value, ProblemHttpResult? rejection) => (Value, Rejection) = (value, rejection);

    /// <summary>The body; null exactly when <see cref="Rejection"/> is not.</summary>
    public T? Value { get; }

    public ProblemHttpResult? Rejection { get; }

    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
            return Rejected(TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the body as application/json."));

        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize;
        if (request.ContentLength > limit)
            return Rejected(TooLarge(limit.Value));

        var options = context.RequestServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        try
        {
            // Kestrel enforces the endpoint's limit on a chunked body by itself; the bounded stream does the same on a
            // server that does not (the test server).
            var body = limit is { } bytes ? new BoundedStream(request.Body, bytes) : request.Body;
            var value = await JsonSerializer.DeserializeAsync<T>(body, options, context.RequestAborted);
            return value is null ? Rejected(Invalid("$", "The body must be a JSON object.")) : new JsonBody<T>(value, null);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Rejected(TooLarge(limit ?? 0));
        }
        catch (JsonException exception)
        {
            return Rejected(Invalid(exception.Path ?? "$", "The value could not be read; check its type and the JSON syntax."));
        }
    }

    static JsonBody<T> Rejected(ProblemHttpResult problem) => new(null, problem);

    static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
            detail: $"The body may be at most {limit} bytes.");

    // ProblemHttpResult rather than ValidationProblem so there is one rejection type; the shape is the same.
    static ProblemHttpResult Invalid(string jsonPath, string message)
    {
        var field = jsonPath == "$" ? "body" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath;
        return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request body is not valid."
        });
    }

    /// <summary>Reads at most <c>limit</c> bytes, then fails as a server's own body limit does.</summary>
    sealed class BoundedStream(Stream inner, long limit) : Stream
    {
        long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _read += read;
            if (_read > limit)
                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the body asynchronously.");
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
