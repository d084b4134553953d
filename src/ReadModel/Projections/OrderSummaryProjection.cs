using System.Globalization;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.ReadModel.Documents;

namespace Shop.ReadModel.Projections;

/// <summary>
/// Applies an order's events to its <see cref="OrderSummary"/> so that any order of arrival, with any number of
/// copies, ends in the same document:
/// <list type="bullet">
/// <item>each event is a fact recorded once (the timeline holds each event of the order once; the saga publishes each
/// at most once per order), so a copy is recognised and changes nothing;</item>
/// <item>facts fill fields no other event writes (lines from <c>OrderSubmitted</c>, the charge from
/// <c>PaymentCompleted</c>), so their order does not matter;</item>
/// <item>the status follows the order saga's steps (submitted 1, stock reserved 2, confirmed 3, cancelled 4): the
/// document's <see cref="OrderSummary.Version"/> is the highest step applied, and an event of a lower step never sets
/// the status again. Confirmed and cancelled exclude each other in the saga; should both ever arrive, cancelled wins.</item>
/// </list>
/// </summary>
public static class OrderSummaryProjection
{
    const int SubmittedStep = 1, StockReservedStep = 2, ConfirmedStep = 3, CancelledStep = 4;

    /// <summary>Applies <paramref name="evt"/>; false when the document already had it (nothing changed).</summary>
    public static bool Apply(OrderSummary order, ProjectedEvent evt, DateTime now)
    {
        var name = evt.Type;
        if (order.Timeline.Any(entry => entry.Event == name))
            return false;

        var at = Utc(evt.SentAt);
        switch (evt.Message)
        {
            case OrderSubmitted m:
                at = Utc(m.SubmittedAt);
                order.CustomerId ??= m.CustomerId;
                order.Email ??= m.Email;
                order.Lines = (m.Items ?? []).Where(line => line is not null)
                    .Select(line => new OrderSummaryLine(line.Sku ?? "", line.ProductName, line.Quantity, line.UnitPrice)).ToList();
                order.Total = m.Total;
                order.Currency = m.Currency;
                order.SubmittedAt = at;
                Advance(order, SubmittedStep, OrderSummaryStatus.Submitted);
                Record(order, name, at, null);
                break;
            case StockReserved:
                Advance(order, StockReservedStep, OrderSummaryStatus.PaymentPending);
                Record(order, name, at, null);
                break;
            case StockUnavailable m:
                Record(order, name, at, m.Reason);
                break;
            case StockReleased:
                Record(order, name, at, null);
                break;
            case PaymentCompleted m:
                order.PaymentId = m.PaymentId;
                order.AmountPaid = m.Amount;
                order.Currency ??= m.Currency;
                Record(order, name, at, m.PaymentId);
                break;
            case PaymentFailed m:
                order.PaymentFailure = m.Reason;
                Record(order, name, at, m.Reason);
                break;
            case PaymentRefunded m:
                order.AmountRefunded = m.Amount;
                Record(order, name, at, m.PaymentId);
                break;
            case OrderConfirmed m:
                at = Utc(m.ConfirmedAt);
                order.CustomerId ??= m.CustomerId;
                order.Email ??= m.Email;
                order.Total ??= m.Total;
                order.Currency ??= m.Currency;
                Advance(order, ConfirmedStep, OrderSummaryStatus.Confirmed);
                Record(order, name, at, null);
                break;
            case OrderCancelled m:
                at = Utc(m.CancelledAt);
                order.CustomerId ??= m.CustomerId;
                order.Email ??= m.Email;
                order.CancellationReason = m.Reason;
                Advance(order, CancelledStep, OrderSummaryStatus.Cancelled);
                Record(order, name, at, m.Reason);
                break;
            default:
                throw new ArgumentException($"{name} is not an order event.", nameof(evt));
        }

        Derive(order);
        order.UpdatedAt = now;
        return true;
    }

    static void Advance(OrderSummary order, int step, string status)
    {
        if (step <= order.Version)
            return;
        order.Version = step;
        order.Status = status;
    }

    static void Record(OrderSummary order, string name, DateTime at, string? detail)
    {
        order.Timeline = [.. order.Timeline.Append(new OrderTimelineEvent(name, at, detail))
            .OrderBy(entry => entry.At).ThenBy(entry => entry.Event, StringComparer.Ordinal)];
        if (at > order.LastEventAt)
            order.LastEventAt = at;
    }

    /// <summary>The fields computed from the others: the sort position and the words to search.</summary>
    static void Derive(OrderSummary order)
    {
        order.PlacedAt = order.SubmittedAt ?? order.Timeline[0].At;
        order.SortKey = SortKeyOf(order.PlacedAt, order.OrderId);
        order.SearchText = string.Join(' ', new[] { order.Email }
            .Concat(order.Lines.SelectMany(line => new[] { line.Sku, line.ProductName }))
            .Where(word => !string.IsNullOrWhiteSpace(word))
            .Select(word => word!.ToLowerInvariant()));
    }

    public static string SortKeyOf(DateTime placedAt, Guid orderId) =>
        placedAt.Ticks.ToString("D19", CultureInfo.InvariantCulture) + "-" + orderId.ToString("N");

    /// <summary>Events carry UTC times; one deserialised without its kind is taken as UTC too.</summary>
    internal static DateTime Utc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };
}
