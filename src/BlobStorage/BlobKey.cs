using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Shop.BlobStorage;

/// <summary>
/// The one shape a blob key may have: lower-case slash-separated segments of letters, digits, '-' and '_', the last
/// one optionally with a single extension. No '.', '..', empty segment, leading slash, backslash or drive letter can
/// pass, so a key can never leave the storage root.
/// </summary>
public static partial class BlobKey
{
    public const int MaxLength = 256;

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,63}(/[a-z0-9][a-z0-9_-]{0,63}){0,7}(\.[a-z0-9]{1,8})?$", RegexOptions.CultureInvariant)]
    public static partial Regex Pattern { get; }

    public static bool IsValid([NotNullWhen(true)] string? key) =>
        key is { Length: > 0 and <= MaxLength } && Pattern.IsMatch(key);

    /// <summary>Throws unless <paramref name="key"/> is a valid key; adapters call it before touching storage.</summary>
    public static string Validate(string? key) =>
        IsValid(key) ? key : throw new ArgumentException($"'{key}' is not a valid blob key.", nameof(key));
}
