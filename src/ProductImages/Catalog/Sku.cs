using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Shop.ProductImages.Catalog;

public static partial class Sku
{
    /// <summary>Letters, digits, '-', '_' and '.', starting with a letter or digit, at most 64 characters.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    public static partial Regex Pattern { get; }

    public static bool IsValid([NotNullWhen(true)] string? sku) => sku is not null && Pattern.IsMatch(sku);
}
