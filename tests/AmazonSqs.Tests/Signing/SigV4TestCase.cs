using System.Text;
using System.Text.Json;
using Shop.Messaging.AmazonSqs.Signing;

namespace Shop.AmazonSqs.Tests.Signing;

/// <summary>One folder of AWS's SigV4 test suite: the unsigned request, its context and the expected results.</summary>
public sealed class SigV4TestCase
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "SigV4TestSuite");

    SigV4TestCase(string name) => Name = name;

    public string Name { get; }
    public SigningRequest Request { get; private set; } = null!;
    public AwsCredentialsSnapshot Credentials { get; private set; } = null!;
    public string Region { get; private set; } = "";
    public string Service { get; private set; } = "";
    public DateTimeOffset Time { get; private set; }
    public bool SignBody { get; private set; }
    public string ExpectedCanonicalRequest { get; private set; } = "";
    public string ExpectedStringToSign { get; private set; } = "";
    public string ExpectedSignature { get; private set; } = "";

    public static IEnumerable<string> Names() =>
        Directory.GetDirectories(Root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    public static SigV4TestCase Load(string name)
    {
        var folder = Path.Combine(Root, name);
        string Read(string file) => File.ReadAllText(Path.Combine(folder, file), Encoding.UTF8);

        using var context = JsonDocument.Parse(Read("context.json"));
        var root = context.RootElement;
        var credentials = root.GetProperty("credentials");
        return new SigV4TestCase(name)
        {
            Request = ParseRequest(Read("request.txt")),
            Credentials = new AwsCredentialsSnapshot(
                credentials.GetProperty("access_key_id").GetString()!,
                credentials.GetProperty("secret_access_key").GetString()!,
                credentials.TryGetProperty("token", out var token) ? token.GetString() : null),
            Region = root.GetProperty("region").GetString()!,
            Service = root.GetProperty("service").GetString()!,
            Time = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            SignBody = root.GetProperty("sign_body").GetBoolean(),
            ExpectedCanonicalRequest = Read("header-canonical-request.txt"),
            ExpectedStringToSign = Read("header-string-to-sign.txt"),
            ExpectedSignature = Read("header-signature.txt").Trim(),
        };
    }

    // "METHOD target HTTP/1.1", "Name:value" lines, a blank line, the body. Targets may hold spaces (get-space-*).
    static SigningRequest ParseRequest(string text)
    {
        var headerEnd = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = headerEnd < 0 ? text : text[..headerEnd];
        var body = headerEnd < 0 ? "" : text[(headerEnd + 2)..];
        var lines = head.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ')];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(' ')];
        var query = target.Contains('?') ? target[(target.IndexOf('?') + 1)..] : "";
        var path = target.Contains('?') ? target[..target.IndexOf('?')] : target;

        var request = new SigningRequest(method, path, query) { Body = Encoding.UTF8.GetBytes(body) };
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            request.WithHeader(line[..colon], line[(colon + 1)..]);
        }
        return request;
    }

    public override string ToString() => Name;
}
