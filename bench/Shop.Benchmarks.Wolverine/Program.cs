using Shop.Benchmarks.Wolverine;

// Started by Shop.Benchmarks (scenarios 9 and 10), which reads the last line of standard output:
//   Shop.Benchmarks.Wolverine plain|durable --rabbit URL [--postgres CONNECTION] --messages N --warmup N
//     --warmup-seconds N --payload-bytes N --concurrency N [--listener inline|buffered]
// Progress and logs go to standard error.
var settings = PeerSettings.Parse(args);
var result = settings.Durable ? await PeerRun.Durable(settings) : await PeerRun.Plain(settings);
Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(result));
return 0;
