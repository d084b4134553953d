namespace Shop.Images.Worker.Processing;

/// <summary>
/// Names metadata directories uniquely: several can share a name (two thumbnails, many PNG text chunks), and the
/// second and later are numbered "Name (2)", "Name (3)", … Each name remembers the next number to try, so naming N
/// directories costs about N look-ups however many share a name (probing from "(2)" upwards each time made a crafted
/// file of 20,000 chunks cost 200 million).
/// </summary>
public sealed class DirectoryNames
{
    readonly HashSet<string> _taken = [];
    readonly Dictionary<string, int> _nextNumber = [];

    /// <summary>How many names were tried so far: the work done, for the tests of its bound.</summary>
    public long Probes { get; private set; }

    public string Next(string name)
    {
        var candidate = name;
        Probes++;
        if (!_taken.Add(candidate))
        {
            var n = _nextNumber.GetValueOrDefault(name, 2);
            do
            {
                candidate = $"{name} ({n++})";
                Probes++;
            }
            while (!_taken.Add(candidate));
            _nextNumber[name] = n;
        }

        return candidate;
    }
}
