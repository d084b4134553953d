using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Shop.Messaging.AmazonSqs.Signing;

namespace Shop.Messaging.AmazonSqs.Sns;

/// <summary>
/// A small client of the SNS query API (form-encoded POST, XML answers, SigV4-signed): the operations the transport
/// needs, because AWSSDK.SimpleNotificationService is not available to us.
/// </summary>
public sealed class SnsClient
{
    public const int MaxBatchEntries = 10;
    const string ApiVersion = "2010-03-31";
    const string Service = "sns";

    readonly HttpClient _http;
    readonly TimeProvider _time;
    readonly Uri _endpoint;
    readonly AWSCredentials _credentials;

    public SnsClient(HttpClient http, SnsClientOptions options, TimeProvider? time = null)
    {
        _http = http;
        _time = time ?? TimeProvider.System;
        Region = options.Region
            ?? FallbackRegionFactory.GetRegionEndpoint()?.SystemName
            ?? throw new InvalidOperationException(
                "No AWS region for SNS: set it in the options or through AWS_REGION / the AWS profile.");
        _endpoint = options.ServiceUrl ?? new Uri($"https://sns.{Region}.amazonaws.com/");
        _credentials = options.Credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials();
    }

    public string Region { get; }

    /// <summary>Creates the topic, or returns the ARN of the existing one (SNS treats CreateTopic as idempotent).</summary>
    public async Task<string> CreateTopicAsync(string name, IReadOnlyDictionary<string, string>? attributes = null,
        CancellationToken cancellationToken = default)
    {
        var form = Form("CreateTopic", ("Name", name));
        AddMap(form, "Attributes", attributes);
        var result = await SendAsync(form, cancellationToken);
        return Required(result, "TopicArn");
    }

    /// <summary>Subscribes and returns the subscription ARN (asked for even while a confirmation is pending).</summary>
    public async Task<string> SubscribeAsync(string topicArn, string protocol, string endpoint,
        IReadOnlyDictionary<string, string>? attributes = null, CancellationToken cancellationToken = default)
    {
        var form = Form("Subscribe", ("TopicArn", topicArn), ("Protocol", protocol), ("Endpoint", endpoint),
            ("ReturnSubscriptionArn", "true"));
        AddMap(form, "Attributes", attributes);
        var result = await SendAsync(form, cancellationToken);
        return Required(result, "SubscriptionArn");
    }

    public async Task SetSubscriptionAttributesAsync(string subscriptionArn, string attributeName, string attributeValue,
        CancellationToken cancellationToken = default) =>
        await SendAsync(Form("SetSubscriptionAttributes", ("SubscriptionArn", subscriptionArn),
            ("AttributeName", attributeName), ("AttributeValue", attributeValue)), cancellationToken);

    /// <summary>Publishes one message and returns its SNS message id.</summary>
    public async Task<string> PublishAsync(SnsPublishRequest request, CancellationToken cancellationToken = default)
    {
        var form = Form("Publish", ("TopicArn", request.TopicArn));
        AddMessage(form, "", request.Message, request.Subject, request.MessageGroupId, request.MessageDeduplicationId,
            request.MessageAttributes);
        var result = await SendAsync(form, cancellationToken);
        return Required(result, "MessageId");
    }

    /// <summary>Publishes up to ten messages in one call; entries fail or succeed individually.</summary>
    public async Task<SnsPublishBatchResult> PublishBatchAsync(string topicArn, IReadOnlyList<SnsPublishBatchEntry> entries,
        CancellationToken cancellationToken = default)
    {
        if (entries.Count is 0 or > MaxBatchEntries)
            throw new ArgumentOutOfRangeException(nameof(entries), entries.Count,
                $"SNS PublishBatch takes 1 to {MaxBatchEntries} entries.");

        var form = Form("PublishBatch", ("TopicArn", topicArn));
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var prefix = $"PublishBatchRequestEntries.member.{i + 1}.";
            form.Add(new(prefix + "Id", entry.Id));
            AddMessage(form, prefix, entry.Message, entry.Subject, entry.MessageGroupId, entry.MessageDeduplicationId,
                entry.MessageAttributes);
        }

        var result = await SendAsync(form, cancellationToken);
        var successful = Elements(result, "Successful").Elements().Where(e => e.Name.LocalName == "member")
            .Select(m => new SnsPublishBatchSuccess(Value(m, "Id") ?? "", Value(m, "MessageId") ?? ""))
            .ToList();
        var failed = Elements(result, "Failed").Elements().Where(e => e.Name.LocalName == "member")
            .Select(m => new SnsPublishBatchFailure(Value(m, "Id") ?? "", Value(m, "Code") ?? "", Value(m, "Message"),
                string.Equals(Value(m, "SenderFault"), "true", StringComparison.OrdinalIgnoreCase)))
            .ToList();
        return new SnsPublishBatchResult(successful, failed);
    }

    /// <summary>All subscriptions of the topic, following the pagination tokens.</summary>
    public async Task<IReadOnlyList<SnsSubscription>> ListSubscriptionsByTopicAsync(string topicArn,
        CancellationToken cancellationToken = default)
    {
        var subscriptions = new List<SnsSubscription>();
        string? nextToken = null;
        do
        {
            var form = Form("ListSubscriptionsByTopic", ("TopicArn", topicArn));
            if (nextToken is not null) form.Add(new("NextToken", nextToken));
            var result = await SendAsync(form, cancellationToken);
            subscriptions.AddRange(Elements(result, "Subscriptions").Elements().Where(e => e.Name.LocalName == "member")
                .Select(m => new SnsSubscription(Value(m, "SubscriptionArn") ?? "", Value(m, "TopicArn") ?? "",
                    Value(m, "Protocol") ?? "", Value(m, "Endpoint") ?? "", Value(m, "Owner"))));
            nextToken = Value(result, "NextToken");
        } while (!string.IsNullOrEmpty(nextToken));
        return subscriptions;
    }

    static List<KeyValuePair<string, string>> Form(string action, params (string Name, string Value)[] parameters)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", ApiVersion) };
        form.AddRange(parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)));
        return form;
    }

    static void AddMap(List<KeyValuePair<string, string>> form, string name, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null) return;
        var i = 0;
        foreach (var (key, value) in map)
        {
            i++;
            form.Add(new($"{name}.entry.{i}.key", key));
            form.Add(new($"{name}.entry.{i}.value", value));
        }
    }

    static void AddMessage(List<KeyValuePair<string, string>> form, string prefix, string message, string? subject,
        string? groupId, string? deduplicationId, IReadOnlyDictionary<string, SnsMessageAttribute>? attributes)
    {
        form.Add(new(prefix + "Message", message));
        if (subject is not null) form.Add(new(prefix + "Subject", subject));
        if (groupId is not null) form.Add(new(prefix + "MessageGroupId", groupId));
        if (deduplicationId is not null) form.Add(new(prefix + "MessageDeduplicationId", deduplicationId));
        if (attributes is null) return;

        var i = 0;
        foreach (var (name, attribute) in attributes)
        {
            var entry = $"{prefix}MessageAttributes.entry.{++i}.";
            form.Add(new(entry + "Name", name));
            form.Add(new(entry + "Value.DataType", attribute.DataType));
            if (attribute.BinaryValue is not null)
                form.Add(new(entry + "Value.BinaryValue", Convert.ToBase64String(attribute.BinaryValue)));
            else
                form.Add(new(entry + "Value.StringValue", attribute.StringValue ?? ""));
        }
    }

    async Task<XElement> SendAsync(List<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        var action = form[0].Value;
        var body = Encoding.UTF8.GetBytes(string.Join('&',
            form.Select(p => $"{SigV4Signer.UriEncode(p.Key)}={SigV4Signer.UriEncode(p.Value)}")));

        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "utf-8" };
        await SignAsync(request, body);

        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        XElement root;
        try
        {
            root = XElement.Parse(text);
        }
        catch (System.Xml.XmlException)
        {
            throw new SnsException("UnreadableResponse",
                $"{action} answered {text[..Math.Min(text.Length, 200)]}", response.StatusCode);
        }

        if (!response.IsSuccessStatusCode || root.Name.LocalName == "ErrorResponse")
        {
            var error = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error") ?? root;
            throw new SnsException(Value(error, "Code") ?? "Unknown", Value(error, "Message") ?? text,
                response.StatusCode, Value(root, "RequestId"));
        }

        return root.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result")
            ?? new XElement(action + "Result");
    }

    async Task SignAsync(HttpRequestMessage request, byte[] body)
    {
        var credentials = await _credentials.GetCredentialsAsync();
        var uri = request.RequestUri!;
        var signing = new SigningRequest(request.Method.Method, uri.AbsolutePath, uri.Query)
            .WithHeader("host", uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}")
            .WithHeader("content-type", request.Content!.Headers.ContentType!.ToString());
        signing.Body = body;

        var signature = SigV4Signer.Sign(signing,
            new AwsCredentialsSnapshot(credentials.AccessKey, credentials.SecretKey,
                credentials.UseToken ? credentials.Token : null),
            Region, Service, _time.GetUtcNow());
        foreach (var (name, value) in signature.HeadersToAdd)
            request.Headers.TryAddWithoutValidation(name, value);
        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
    }

    static string Required(XElement result, string name) =>
        Value(result, name) ?? throw new SnsException("UnreadableResponse",
            $"{result.Name.LocalName} has no {name}", System.Net.HttpStatusCode.OK);

    static string? Value(XElement parent, string name) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    static IEnumerable<XElement> Elements(XElement parent, string name) =>
        parent.Elements().Where(e => e.Name.LocalName == name);
}
