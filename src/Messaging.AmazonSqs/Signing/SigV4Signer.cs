using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Shop.Messaging.AmazonSqs.Signing;

/// <summary>
/// AWS Signature Version 4 (header variant), for the services we call without an SDK client (SNS).
/// Follows https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html and is checked
/// against AWS's published test suite (tests/AmazonSqs.Tests/SigV4TestSuite).
/// </summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    const string EmptyBodySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <param name="addContentSha256Header">
    /// Adds (and signs) <c>x-amz-content-sha256</c>; S3 requires it, the query APIs accept it.
    /// </param>
    public static SigV4Signature Sign(SigningRequest request, AwsCredentialsSnapshot credentials, string region,
        string service, DateTimeOffset signingTime, bool addContentSha256Header = false)
    {
        var amzDate = signingTime.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var payloadHash = request.Body.IsEmpty ? EmptyBodySha256 : Hex(SHA256.HashData(request.Body.Span));

        var added = new List<KeyValuePair<string, string>> { new("X-Amz-Date", amzDate) };
        if (!string.IsNullOrEmpty(credentials.SessionToken))
            added.Add(new("X-Amz-Security-Token", credentials.SessionToken));
        if (addContentSha256Header)
            added.Add(new("x-amz-content-sha256", payloadHash));

        var headers = request.Headers.Concat(added)
            .GroupBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(',', g.Select(h => TrimAll(h.Value)))))
            .ToList();
        var signedHeaders = string.Join(';', headers.Select(h => h.Name));

        var canonicalRequest = string.Join('\n',
            request.Method.ToUpperInvariant(),
            CanonicalPath(request.Path, service),
            CanonicalQuery(request.Query),
            string.Concat(headers.Select(h => $"{h.Name}:{h.Value}\n")),
            signedHeaders,
            payloadHash);

        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope,
            Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));

        var authorization =
            $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Signature(canonicalRequest, stringToSign, signature, authorization, added);
    }

    /// <summary>RFC 3986 percent-encoding as SigV4 defines it: unreserved characters stay, everything else is %XX (upper case).</summary>
    public static string UriEncode(string value, bool encodeSlash = true)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.' or '~' ||
                (c == '/' && !encodeSlash))
                builder.Append(c);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <summary>
    /// The canonical URI from the path as sent (<paramref name="path"/> is percent-encoded once, as on the wire). S3
    /// signs the object key encoded once, exactly as it is (no normalisation: "a//b" and "./" are part of a key). Every
    /// other service normalises the path (no empty or '.' segments, '..' removes the previous one) and encodes each
    /// segment again, so a space is %2520 ("Each path segment must be URI-encoded twice", AWS's SigV4 reference).
    /// </summary>
    static string CanonicalPath(string path, string service)
    {
        if (string.Equals(service, "s3", StringComparison.OrdinalIgnoreCase))
            return "/" + string.Join('/', path.TrimStart('/').Split('/').Select(segment => UriEncode(Uri.UnescapeDataString(segment))));

        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment == "..")
            {
                if (segments.Count > 0) segments.RemoveAt(segments.Count - 1);
                continue;
            }
            segments.Add(UriEncode(segment));
        }
        var canonical = "/" + string.Join('/', segments);
        return path.EndsWith('/') && segments.Count > 0 ? canonical + "/" : canonical;
    }

    static string CanonicalQuery(string query)
    {
        if (query.Length == 0) return "";
        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p =>
            {
                var eq = p.IndexOf('=');
                var name = eq < 0 ? p : p[..eq];
                var value = eq < 0 ? "" : p[(eq + 1)..];
                return (Name: UriEncode(Uri.UnescapeDataString(name)), Value: UriEncode(Uri.UnescapeDataString(value)));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => $"{p.Name}={p.Value}"));
    }

    // Header values: trimmed, inner runs of spaces collapsed to one.
    static string TrimAll(string value) =>
        string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
