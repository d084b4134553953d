using System.Net;

namespace Shop.Messaging.AmazonSqs.Sns;

/// <summary>An error answer of the SNS query API (<c>ErrorResponse</c>), or an answer we could not read.</summary>
public sealed class SnsException(string code, string message, HttpStatusCode statusCode, string? requestId = null)
    : Exception($"SNS {code}: {message} (HTTP {(int)statusCode}{(requestId is null ? "" : $", request {requestId}")})")
{
    public string Code { get; } = code;
    public HttpStatusCode StatusCode { get; } = statusCode;
    public string? RequestId { get; } = requestId;

    /// <summary>Worth retrying: throttling or a server-side failure.</summary>
    public bool IsTransient =>
        (int)StatusCode >= 500 || Code is "Throttling" or "ThrottlingException" or "ThrottledException" or "RequestThrottled";
}
