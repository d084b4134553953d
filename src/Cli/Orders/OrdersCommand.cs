using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shop.Cli.Configuration;
using Shop.Cli.Output;

namespace Shop.Cli.Orders;

/// <summary>
/// <c>shop orders watch &lt;id&gt;</c>: follows an order through the API (<c>GET /orders/{id}</c>) and prints each step of its
/// timeline as it happens, until it is confirmed (exit 0) or cancelled (exit 5).
/// </summary>
public static class OrdersCommand
{
    static readonly string[] FinalStatuses = ["Confirmed", "Cancelled"];

    public static Command Create(CliConsole console)
    {
        var id = new Argument<Guid>("id") { Description = "the order id (the API's 202 answer holds it)" };
        var api = new Option<string?>("--api-url") { Description = "the Orders API (default: Orders:ApiUrl, else http://127.0.0.1:5080)" };
        var interval = new Option<TimeSpan>("--interval") { Description = "how often the order is read", DefaultValueFactory = _ => TimeSpan.FromSeconds(1) };
        var timeout = new Option<TimeSpan?>("--timeout") { Description = "give up after this long (exit 1); default: wait until it ends" };
        var token = new Option<string?>("--token")
        {
            Description = "a bearer token for the API: the customer's or an operator's (default: Orders:Token; locally: shop token)"
        };
        var watch = new Command("watch", "follow an order's timeline until it is confirmed or cancelled") { id, api, interval, timeout, token };
        watch.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = BusConnection.From(parse).Configuration;
            var url = parse.GetValue(api) ?? configuration["Orders:ApiUrl"] ?? "http://127.0.0.1:5080";
            if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl))
                throw new CliException(ExitCodes.Usage, $"--api-url: '{url}' is not an absolute URL.");
            var orderId = parse.GetValue(id);
            var json = parse.GetValue(GlobalOptions.Output) == OutputFormat.Json;
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (parse.GetValue(timeout) is { } after)
                limit.CancelAfter(after);

            using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
            if ((parse.GetValue(token) ?? configuration["Orders:Token"]) is { Length: > 0 } bearer)
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            var printed = 0;
            try
            {
                while (true)
                {
                    using var response = await http.GetAsync($"orders/{orderId}", limit.Token);
                    if (response.StatusCode == HttpStatusCode.NotFound)
                        throw new CliException(ExitCodes.NotFound, $"there is no order {orderId} at {baseUrl} (or it is not yours).");
                    if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                        throw new CliException(ExitCodes.Failure,
                            $"the API answered {(int)response.StatusCode}: pass --token with the customer's or an operator's token (shop token --role operator).");
                    if (!response.IsSuccessStatusCode)
                        throw new CliException(ExitCodes.Failure, $"GET {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(limit.Token)}");

                    var order = await response.Content.ReadFromJsonAsync<JsonElement>(limit.Token);
                    var timeline = order.GetProperty("timeline").EnumerateArray().ToList();
                    foreach (var step in timeline.Skip(printed))
                    {
                        var status = step.GetProperty("status").GetString();
                        var reason = step.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                        var at = step.GetProperty("at").GetDateTime();
                        if (json)
                            console.Output.WriteLine(JsonSerializer.Serialize(new { orderId, status, reason, at }));
                        else
                            console.WriteLine($"{at.ToUniversalTime().ToString("HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}  {status}{(reason is null ? "" : $"  ({reason})")}");
                    }

                    printed = timeline.Count;
                    var current = order.GetProperty("status").GetString();
                    if (current == "Confirmed")
                        return ExitCodes.Ok;
                    if (current == "Cancelled")
                        return ExitCodes.OrderCancelled;
                    await Task.Delay(parse.GetValue(interval), limit.Token);
                }
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.Failure, $"order {orderId} did not end ({string.Join(" or ", FinalStatuses)}) within {parse.GetValue(timeout)}.");
            }
            catch (HttpRequestException exception)
            {
                throw new CliException(ExitCodes.Failure, $"the Orders API at {baseUrl} could not be reached: {exception.Message}", exception);
            }
        });

        return new Command("orders", "orders, as the Orders API shows them") { watch };
    }
}
