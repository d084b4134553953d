using System.Text;

namespace Shop.Faults;

/// <summary>The figures of one run; <see cref="Failures"/> lists every count that should be zero and is not.</summary>
public sealed record FaultReport
{
    public string Transport { get; init; } = "";
    public string Command { get; init; } = "";
    public int OrdersRequested { get; init; }
    public int OrdersAccepted { get; init; }
    public int OrdersNotAccepted { get; init; }
    public List<string> OrdersNotAcceptedWhy { get; init; } = [];
    public int OrdersLost { get; init; }
    public int OrdersStuck { get; init; }
    public Dictionary<string, int> StuckStatuses { get; init; } = [];
    public Dictionary<string, int> Outcomes { get; init; } = [];
    public int DeclinedCardsConfirmed { get; init; }
    public int DoubleChargesAtGateway { get; init; }
    public int RepeatedApprovedChargeCalls { get; init; }
    public int ConfirmedOrdersWithoutGatewayCharge { get; init; }
    public long OrdersWithTwoPaymentRows { get; init; }
    public int CancelledOrdersChargedNotRefunded { get; init; }
    public long Refunds { get; init; }
    public int DuplicateNotifications { get; init; }
    public int TerminalOrdersWithoutNotification { get; init; }
    public int PoisonPublished { get; init; }
    public int PoisonNotInErrorQueue { get; init; }
    public Dictionary<string, int> OtherMessagesInErrorQueues { get; init; } = [];
    public long DuplicateDeliveriesInjected { get; init; }
    public int ImagesRequested { get; init; }
    public int ImagesAccepted { get; init; }
    public int ImagesNotAccepted { get; init; }
    public int ImagesStuck { get; init; }
    public Dictionary<string, int> ImageOutcomes { get; init; } = [];
    public Dictionary<string, List<string>> UnexpectedProcessExits { get; init; } = [];
    public List<FaultRecord> Faults { get; init; } = [];
    public double LoadSeconds { get; init; }
    public double TotalSeconds { get; init; }

    public List<string> Failures
    {
        get
        {
            var failures = new List<string>();
            void Zero(string name, long value) { if (value != 0) failures.Add($"{name}: {value}"); }
            Zero("orders not accepted by the API", OrdersNotAccepted);
            Zero("orders lost", OrdersLost);
            Zero("orders stuck", OrdersStuck);
            Zero("declined cards confirmed", DeclinedCardsConfirmed);
            Zero("double charges at the gateway", DoubleChargesAtGateway);
            Zero("confirmed orders without a gateway charge", ConfirmedOrdersWithoutGatewayCharge);
            Zero("orders with two payment rows", OrdersWithTwoPaymentRows);
            Zero("cancelled orders charged and not refunded", CancelledOrdersChargedNotRefunded);
            Zero("duplicate notifications", DuplicateNotifications);
            Zero("ended orders without a notification", TerminalOrdersWithoutNotification);
            Zero("poison messages not in an error queue", PoisonNotInErrorQueue);
            Zero("other messages in error queues", OtherMessagesInErrorQueues.Values.Sum());
            Zero("images not accepted", ImagesNotAccepted);
            Zero("images stuck", ImagesStuck);
            Zero("unexpected process exits", UnexpectedProcessExits.Values.Sum(v => v.Count));
            Zero("faults not recovered", Faults.Count(f => f.RecoverySeconds is null));
            return failures;
        }
    }

    public string Table()
    {
        var text = new StringBuilder();
        void Row(string name, object value) => text.AppendLine($"| {name,-46} | {value,12} |");
        text.AppendLine($"Fault suite on {Transport}: {OrdersAccepted} orders, {ImagesAccepted} images, {Faults.Count} faults, {TotalSeconds:F0} s");
        text.AppendLine($"| {"count (goal: 0)",-46} | {"value",12} |");
        text.AppendLine($"|{new string('-', 48)}|{new string('-', 14)}|");
        Row("orders not accepted by the API", OrdersNotAccepted);
        Row("orders lost", OrdersLost);
        Row("orders stuck (not Confirmed/Cancelled)", OrdersStuck);
        Row("declined cards confirmed", DeclinedCardsConfirmed);
        Row("double charges at the gateway (ledger)", DoubleChargesAtGateway);
        Row("confirmed orders without a gateway charge", ConfirmedOrdersWithoutGatewayCharge);
        Row("orders with two payment rows", OrdersWithTwoPaymentRows);
        Row("cancelled orders charged and not refunded", CancelledOrdersChargedNotRefunded);
        Row("duplicate notifications", DuplicateNotifications);
        Row("ended orders without a notification", TerminalOrdersWithoutNotification);
        Row($"poison messages not in an error queue (of {PoisonPublished})", PoisonNotInErrorQueue);
        Row("other messages in error queues", OtherMessagesInErrorQueues.Values.Sum());
        Row("images not accepted / stuck", $"{ImagesNotAccepted} / {ImagesStuck}");
        Row("unexpected process exits", UnexpectedProcessExits.Values.Sum(v => v.Count));
        text.AppendLine();
        text.AppendLine($"| {"fault",-46} | {"recovered in",12} |");
        text.AppendLine($"|{new string('-', 48)}|{new string('-', 14)}|");
        foreach (var fault in Faults)
            Row(fault.Fault, fault.RecoverySeconds is { } s ? $"{s:F1} s" : "NOT");
        text.AppendLine();
        text.AppendLine($"informational: {DuplicateDeliveriesInjected} duplicate outbox messages injected; {RepeatedApprovedChargeCalls} repeated approved charge calls answered with the same charge; {Refunds} refunds");
        text.AppendLine("outcomes: " + string.Join("; ", Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));
        text.AppendLine("images: " + string.Join("; ", ImageOutcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));
        if (OtherMessagesInErrorQueues.Count > 0)
            text.AppendLine("error queues (besides the poison): " + string.Join("; ", OtherMessagesInErrorQueues.Select(o => $"{o.Key}: {o.Value}")));
        foreach (var (service, exits) in UnexpectedProcessExits.Where(e => e.Value.Count > 0))
            text.AppendLine($"{service} died on its own: {string.Join(", ", exits)}");
        if (StuckStatuses.Count > 0)
            text.AppendLine("stuck in: " + string.Join("; ", StuckStatuses.Select(s => $"{s.Key}: {s.Value}")));
        return text.ToString();
    }
}
