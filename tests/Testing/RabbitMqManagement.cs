using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Shop.Testing;

/// <summary>The broker's management HTTP API: a virtual host per test class, and a look inside queues.</summary>
public sealed class RabbitMqManagement : IDisposable
{
    readonly HttpClient _http;
    readonly string _user;

    public RabbitMqManagement(Uri endpoint)
    {
        var credentials = endpoint.UserInfo.Split(':', 2);
        _user = Uri.UnescapeDataString(credentials[0]);
        _http = new HttpClient { BaseAddress = new UriBuilder(endpoint) { UserName = "", Password = "", Path = "/api/" }.Uri };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(endpoint.UserInfo))));
    }

    public async Task CreateVirtualHost(string name)
    {
        (await _http.PutAsync($"vhosts/{Uri.EscapeDataString(name)}", null)).EnsureSuccessStatusCode();
        (await _http.PutAsJsonAsync($"permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(_user)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    }

    public async Task DeleteVirtualHost(string name) => await _http.DeleteAsync($"vhosts/{Uri.EscapeDataString(name)}");

    /// <summary>Deletes a queue if it exists (a test that changes a queue's type between runs in one virtual host).</summary>
    public async Task DeleteQueue(string virtualHost, string queue) =>
        await _http.DeleteAsync($"queues/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(queue)}");

    /// <summary>Takes up to <paramref name="count"/> messages off a queue (acknowledged, not requeued).</summary>
    public async Task<IReadOnlyList<JsonElement>> GetMessages(string virtualHost, string queue, int count = 10)
    {
        var response = await _http.PostAsJsonAsync($"queues/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_false", encoding = "auto" });
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return [];
        response.EnsureSuccessStatusCode();
        var messages = await response.Content.ReadFromJsonAsync<JsonElement>();
        return messages.EnumerateArray().ToList();
    }

    /// <summary>Messages published on a virtual host so far (the broker's own counter; refreshed every few seconds).</summary>
    public async Task<long> PublishedMessages(string virtualHost)
    {
        var vhost = await _http.GetFromJsonAsync<JsonElement>($"vhosts/{Uri.EscapeDataString(virtualHost)}");
        return vhost.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty("publish", out var publish) ? publish.GetInt64() : 0;
    }

    /// <summary>A queue as the broker describes it (type, arguments, counts).</summary>
    public async Task<JsonElement> Queue(string virtualHost, string queue) =>
        await _http.GetFromJsonAsync<JsonElement>($"queues/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(queue)}");

    /// <summary>The names of the queues of a virtual host.</summary>
    public async Task<IReadOnlyList<string>> QueueNames(string virtualHost)
    {
        var queues = await _http.GetFromJsonAsync<JsonElement>($"queues/{Uri.EscapeDataString(virtualHost)}?columns=name");
        return queues.EnumerateArray().Select(q => q.GetProperty("name").GetString()!).ToList();
    }

    /// <summary>A user without tags (no management access) with these permissions on <paramref name="virtualHost"/>.</summary>
    public async Task CreateUser(string name, string password, string virtualHost, ServiceBrokerPermissions permissions)
    {
        (await _http.PutAsJsonAsync($"users/{Uri.EscapeDataString(name)}", new { password, tags = "" })).EnsureSuccessStatusCode();
        (await _http.PutAsJsonAsync($"permissions/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(name)}",
            new { configure = permissions.Configure, write = permissions.Write, read = permissions.Read })).EnsureSuccessStatusCode();
    }

    public async Task DeleteUser(string name) => await _http.DeleteAsync($"users/{Uri.EscapeDataString(name)}");

    public void Dispose() => _http.Dispose();
}
