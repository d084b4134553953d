using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;

namespace Shop.Standalone.Tests;

/// <summary>The <c>shop</c> tool run as a process against the standalone shop: <c>orders watch</c> on its API, <c>outbox status</c> on its SQLite files.</summary>
public sealed class When_an_operator_watches_an_order : IDisposable
{
    readonly string _data = Path.Combine(Path.GetTempPath(), $"shop-watch-{Guid.NewGuid():N}");

    static string ShopCli =>
        typeof(When_an_operator_watches_an_order).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ShopCliBinary").Value!;

    [Fact]
    public async Task Should_print_each_step_until_it_ends_and_exit_with_how_it_ended()
    {
        await using var shop = await StandaloneProcess.Start(_data);

        var confirmed = await Watch(shop, await PlaceOrder(shop, "tok_visa"));
        var cancelled = await Watch(shop, await PlaceOrder(shop, "tok_declined"));
        var unknown = await Watch(shop, Guid.NewGuid());

        Assert.True(confirmed.ExitCode == 0, confirmed.ToString());
        Assert.Equal(["Submitted", "StockReserved", "PaymentPending", "Confirmed"],
            confirmed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split("  ")[1].Trim()));
        Assert.True(cancelled.ExitCode == 5, cancelled.ToString());
        Assert.Contains("Cancelled", cancelled.Output);
        Assert.True(unknown.ExitCode == 3, unknown.ToString());
        Assert.Contains("there is no order", unknown.Error);

        // The same tool reads the running host's SQLite databases: the saga's replies went through the orders inbox.
        var outbox = await Run("outbox", "status", "--database", $"Orders=Data Source={Path.Combine(_data, "orders.db")}", "--output", "json");
        Assert.True(outbox.ExitCode == 0, outbox.ToString());
        var orders = JsonDocument.Parse(outbox.Output).RootElement[0];
        Assert.Equal("Orders", orders.GetProperty("service").GetString());
        Assert.True(orders.GetProperty("inboxSize").GetInt64() > 0, outbox.Output);
    }

    static async Task<Guid> PlaceOrder(StandaloneProcess shop, string cardToken)
    {
        using var customer = shop.CustomerClient(Guid.NewGuid());
        var response = await customer.PostAsJsonAsync("/orders", new
        {
            items = new[] { new { sku = "MUG-001", quantity = 1 } },
            payment = new { cardToken },
        });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /orders answered {(int)response.StatusCode}");
        return (await response.Content.ReadFromJsonAsync<AcceptedOrder>())!.Id;
    }

    static Task<(int ExitCode, string Output, string Error)> Watch(StandaloneProcess shop, Guid orderId) =>
        Run("orders", "watch", orderId.ToString(), "--api-url", shop.Api.ToString(), "--interval", "00:00:00.200", "--timeout", "00:02:00",
            "--token", StandaloneProcess.StaffToken);

    static async Task<(int ExitCode, string Output, string Error)> Run(params string[] args)
    {
        Assert.True(File.Exists(ShopCli), $"{ShopCli} is missing: the test project references src/Cli, so the build should have made it");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[ShopCli, .. args])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    sealed record AcceptedOrder(Guid Id);

    public void Dispose()
    {
        if (Directory.Exists(_data))
            Directory.Delete(_data, recursive: true);
    }
}
