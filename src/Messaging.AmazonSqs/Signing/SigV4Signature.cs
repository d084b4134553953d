namespace Shop.Messaging.AmazonSqs.Signing;

/// <summary>
/// The outcome of signing: the headers to add to the request (<c>X-Amz-Date</c>, optionally
/// <c>X-Amz-Security-Token</c> and <c>x-amz-content-sha256</c>, and <c>Authorization</c>), plus the intermediate
/// strings for diagnostics and tests.
/// </summary>
public sealed record SigV4Signature(
    string CanonicalRequest,
    string StringToSign,
    string Signature,
    string Authorization,
    IReadOnlyList<KeyValuePair<string, string>> HeadersToAdd);
