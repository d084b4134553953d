// S3 bucket notifications to SQS for fauxqs, which has none of its own: fauxqs 2.4.1 answers
// PUT /{bucket}?notification with 200 and stores nothing, and GET /{bucket}?notification with a
// bucket listing. Loaded by the wrapper scripts/fauxqs.sh writes; the Shop tests of direct image
// uploads need a bucket that reports new objects to a queue, as AWS does.
//
// What it emulates, for path-style requests (http://host/{bucket}?notification):
//   PutBucketNotificationConfiguration  QueueConfiguration entries (Id, Queue ARN, Event, prefix/suffix
//                                       filter rules) are kept per bucket, in memory, replacing the
//                                       previous set; every destination queue gets S3's s3:TestEvent
//                                       message, and an unknown queue is refused with 400 InvalidArgument
//   GetBucketNotificationConfiguration  the kept queue configurations
//   ObjectCreated:*                     every object fauxqs stores (PutObject, POST, multipart completion,
//                                       copy) is sent to each matching queue as AWS's event JSON (event
//                                       version 2.1, URL-encoded key, size and ETag from a HEAD of the object)
// Not emulated: topic, Lambda and EventBridge destinations, ObjectRemoved events, queue policy checks
// (fauxqs checks no permissions at all), virtual-hosted-style configuration requests.
import http from "node:http";

const configurations = new Map(); // bucket -> [{ id, queueArn, events, prefix, suffix }]
let fauxqs;
let sequence = 0;

/** Call before fauxqs starts: puts the ?notification handler in front of fauxqs' own routes. */
export function interceptNotificationRequests() {
  const createServer = http.createServer;
  http.createServer = function (...args) {
    const index = args.findIndex((arg) => typeof arg === "function");
    if (index >= 0) {
      const handler = args[index];
      args[index] = (request, response) => {
        if (!handleNotificationRequest(request, response)) handler(request, response);
      };
    }
    return createServer.apply(this, args);
  };
}

/** Call with the started server (startFauxqs({ messageSpies: ... })): reports stored objects. */
export function reportObjectsCreated(server) {
  fauxqs = server;
  const spy = server.spy;
  const addMessage = spy.addMessage.bind(spy);
  spy.addMessage = (message) => {
    addMessage(message);
    if (message.service === "s3" && message.status === "uploaded") {
      setImmediate(() => objectCreated(message.bucket, message.key).catch((error) => console.error("s3 notifications:", error)));
    }
  };
}

function handleNotificationRequest(request, response) {
  const url = new URL(request.url ?? "/", "http://fauxqs");
  const bucket = url.pathname.split("/").filter(Boolean);
  if (bucket.length !== 1 || !url.searchParams.has("notification")) return false;
  if (request.method === "GET") {
    reply(response, 200, configurationXml(configurations.get(decodeURIComponent(bucket[0])) ?? []));
    return true;
  }
  if (request.method !== "PUT") return false;

  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", async () => {
    const name = decodeURIComponent(bucket[0]);
    if (!(await head(`/${encodeURIComponent(name)}`))) {
      reply(response, 404, errorXml("NoSuchBucket", `The specified bucket does not exist: ${name}`));
      return;
    }
    const queues = parseQueueConfigurations(Buffer.concat(chunks).toString("utf8"));
    for (const queue of queues) {
      try {
        send(queue.queueArn, JSON.stringify(testEvent(name)));
      } catch (error) {
        reply(response, 400, errorXml("InvalidArgument", `Unable to validate the following destination configurations: ${queue.queueArn} (${error.message})`));
        return;
      }
    }
    configurations.set(name, queues);
    reply(response, 200, "");
  });
  return true;
}

async function objectCreated(bucket, key) {
  const matching = (configurations.get(bucket) ?? []).filter((c) =>
    c.events.some((e) => e === "s3:ObjectCreated:*" || e.startsWith("s3:ObjectCreated:")) &&
    key.startsWith(c.prefix) && key.endsWith(c.suffix));
  if (matching.length === 0) return;

  const object = await headObject(bucket, key);
  if (!object) return; // gone again before we looked
  const eventName = object.etag.includes("-") ? "ObjectCreated:CompleteMultipartUpload" : "ObjectCreated:Put";
  for (const configuration of matching) {
    if (!configuration.events.some((e) => e === "s3:ObjectCreated:*" || e === `s3:${eventName}`)) continue;
    send(configuration.queueArn, JSON.stringify(eventJson(bucket, key, object, eventName, configuration)));
  }
}

function eventJson(bucket, key, object, eventName, configuration) {
  const region = configuration.queueArn.split(":")[3];
  return {
    Records: [{
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: region,
      eventTime: new Date().toISOString(),
      eventName,
      userIdentity: { principalId: "AWS:000000000000" },
      requestParameters: { sourceIPAddress: "127.0.0.1" },
      responseElements: { "x-amz-request-id": randomHex(16).toUpperCase(), "x-amz-id-2": "fauxqs" },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: configuration.id,
        bucket: { name: bucket, ownerIdentity: { principalId: "000000000000" }, arn: `arn:aws:s3:::${bucket}` },
        object: { key: encodeKey(key), size: object.size, eTag: object.etag, sequencer: (++sequence).toString(16).toUpperCase().padStart(18, "0") },
      },
    }],
  };
}

function testEvent(bucket) {
  return { Service: "Amazon S3", Event: "s3:TestEvent", Time: new Date().toISOString(), Bucket: bucket, RequestId: randomHex(16).toUpperCase(), HostId: "fauxqs" };
}

function send(queueArn, body) {
  const [, , service, region, , queueName] = queueArn.split(":");
  if (service !== "sqs" || !queueName) throw new Error(`not an SQS queue ARN: ${queueArn}`);
  fauxqs.sendMessage(queueName, body, { region });
}

function headObject(bucket, key) {
  return head(`/${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`);
}

/** HEAD against fauxqs itself (it checks no signatures): the size and ETag of an object, or undefined when absent. */
function head(path) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port: fauxqs.port, path, method: "HEAD" }, (response) => {
      response.resume();
      if (response.statusCode !== 200) return resolve(undefined);
      resolve({ size: Number(response.headers["content-length"] ?? 0), etag: String(response.headers.etag ?? "").replaceAll('"', "") });
    });
    request.on("error", reject);
    request.end();
  });
}

// S3 writes keys form-encoded in events: '/' stays, a space becomes '+'.
function encodeKey(key) {
  return key.split("/").map((segment) => encodeURIComponent(segment).replaceAll("%20", "+")).join("/");
}

function parseQueueConfigurations(xml) {
  const text = (block, tag) => [...block.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) => unescapeXml(m[1].trim()));
  const rule = (block, name) => {
    for (const filterRule of block.match(/<FilterRule>[\s\S]*?<\/FilterRule>/g) ?? []) {
      if ((text(filterRule, "Name")[0] ?? "").toLowerCase() === name) return text(filterRule, "Value")[0] ?? "";
    }
    return "";
  };
  return (xml.match(/<QueueConfiguration>[\s\S]*?<\/QueueConfiguration>/g) ?? []).map((block) => ({
    id: text(block, "Id")[0] ?? randomHex(8),
    queueArn: text(block, "Queue")[0] ?? "",
    events: text(block, "Event"),
    prefix: rule(block, "prefix"),
    suffix: rule(block, "suffix"),
  }));
}

function configurationXml(queues) {
  const filter = (q) => q.prefix || q.suffix
    ? `<Filter><S3Key>${q.prefix ? `<FilterRule><Name>prefix</Name><Value>${escapeXml(q.prefix)}</Value></FilterRule>` : ""}` +
      `${q.suffix ? `<FilterRule><Name>suffix</Name><Value>${escapeXml(q.suffix)}</Value></FilterRule>` : ""}</S3Key></Filter>`
    : "";
  const entries = queues.map((q) => `<QueueConfiguration><Id>${escapeXml(q.id)}</Id><Queue>${escapeXml(q.queueArn)}</Queue>` +
    `${q.events.map((e) => `<Event>${escapeXml(e)}</Event>`).join("")}${filter(q)}</QueueConfiguration>`).join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${entries}</NotificationConfiguration>`;
}

function errorXml(code, message) {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
}

function reply(response, status, body) {
  response.writeHead(status, { "Content-Type": "application/xml", "x-amz-request-id": randomHex(16).toUpperCase() });
  response.end(body);
}

function escapeXml(value) {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function unescapeXml(value) {
  return value.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&apos;", "'").replaceAll("&amp;", "&");
}

function randomHex(length) {
  let hex = "";
  while (hex.length < length) hex += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, "0");
  return hex.slice(0, length);
}
