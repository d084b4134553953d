using System.Net.Mail;
using Shop.Orders.Api.Domain;
using Shop.Orders.Api.Endpoints.Models;

namespace Shop.Orders.Api.Endpoints;

/// <summary>The rules an order must pass before it is stored; errors are keyed by the JSON path of the offending field.</summary>
static class CreateOrderValidator
{
    public const int MaxLines = 50;
    public const int MaxQuantityPerLine = 100;
    public const int MaxEmailLength = 254;
    public const int MaxCardTokenLength = 200;

    public static Dictionary<string, string[]> Validate(CreateOrderRequest request, OrderCustomer customer,
        IReadOnlyDictionary<string, Product> catalog)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var messages))
                errors[field] = messages = [];
            messages.Add(message);
        }

        // Refused rather than ignored: a client that sends them believes it chooses the customer, and it does not.
        if (request.CustomerId is not null)
            Add("customerId", "The customer comes from the access token; leave customerId out of the body.");
        if (request.Email is not null)
            Add("email", "The email comes from the access token; leave email out of the body.");
        else if (customer.Email.Length > MaxEmailLength || !IsEmail(customer.Email))
            Add("email", "The email address in the access token is not valid.");

        if (request.Items is null || request.Items.Count == 0)
            Add("items", "An order needs at least one item.");
        else if (request.Items.Count > MaxLines)
            Add("items", $"An order has at most {MaxLines} lines.");
        else
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < request.Items.Count; i++)
            {
                var item = request.Items[i];
                if (item is null)
                {
                    Add($"items[{i}]", "The item is missing.");
                    continue;
                }

                if (string.IsNullOrWhiteSpace(item.Sku))
                    Add($"items[{i}].sku", "A SKU is required.");
                else if (!catalog.ContainsKey(item.Sku))
                    Add($"items[{i}].sku", $"Unknown SKU '{Truncate(item.Sku)}'.");
                else if (!seen.Add(item.Sku))
                    Add($"items[{i}].sku", $"SKU '{item.Sku}' appears more than once; order it on one line.");

                if (item.Quantity is not { } quantity || quantity <= 0)
                    Add($"items[{i}].quantity", "The quantity must be at least 1.");
                else if (quantity > MaxQuantityPerLine)
                    Add($"items[{i}].quantity", $"The quantity must be at most {MaxQuantityPerLine}.");
            }
        }

        if (string.IsNullOrWhiteSpace(request.Payment?.CardToken))
            Add("payment.cardToken", "A card token is required.");
        else if (request.Payment.CardToken.Length > MaxCardTokenLength)
            Add("payment.cardToken", $"The card token is longer than {MaxCardTokenLength} characters.");

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    static bool IsEmail(string value)
    {
        if (value.Trim() != value || value.Count(c => c == '@') != 1)
            return false;
        // MailAddress also accepts display names ("Ann <a@b.c>"); only a bare address that round-trips is an email.
        return MailAddress.TryCreate(value, out var address) && address.Address == value && address.Host.Contains('.');
    }

    static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
