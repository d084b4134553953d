# One image recipe for every service: SERVICE names its project under src/. Build from the repository root:
#   docker build --build-arg SERVICE=Orders.Api -t shop/orders-api .
# (Orders.Api, Payments.Worker, Notifications.Worker, Images.Worker, Search.Worker; docker-compose.yml passes it.)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# Set by BuildKit to the image's architecture (amd64, arm64; the SDK maps it to its runtime identifier). The classic
# builder (docker-compose 1.29) sets nothing, hence the amd64 default in the RUN steps.
ARG TARGETARCH
ARG SERVICE
WORKDIR /repo

# Restore layer: only the files restore reads, so editing source code does not invalidate the package cache. It holds
# the project files of every service (COPY cannot pick one service's references); restore reads only SERVICE's.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Contracts/Contracts.csproj src/Contracts/
COPY src/BlobStorage/BlobStorage.csproj src/BlobStorage/
COPY src/Messaging.AmazonSqs/Messaging.AmazonSqs.csproj src/Messaging.AmazonSqs/
COPY src/Messaging/Messaging.csproj src/Messaging/
COPY src/Messaging.EntityFrameworkCore/Messaging.EntityFrameworkCore.csproj src/Messaging.EntityFrameworkCore/
COPY src/ServiceDefaults/ServiceDefaults.csproj src/ServiceDefaults/
COPY src/Hosting.Lambda/Hosting.Lambda.csproj src/Hosting.Lambda/
COPY src/ReadModel/ReadModel.csproj src/ReadModel/
COPY src/Identity/Identity.csproj src/Identity/
COPY src/Images/Images.csproj src/Images/
COPY src/Orders.Api/Orders.Api.csproj src/Orders.Api/
COPY src/Payments.Worker/Payments.Worker.csproj src/Payments.Worker/
COPY src/Notifications.Worker/Notifications.Worker.csproj src/Notifications.Worker/
COPY src/Images.Worker/Images.Worker.csproj src/Images.Worker/
COPY src/Search.Worker/Search.Worker.csproj src/Search.Worker/
RUN dotnet restore src/${SERVICE}/${SERVICE}.csproj -a ${TARGETARCH:-amd64} -p:PublishReadyToRun=true

COPY src/Contracts/ src/Contracts/
COPY src/BlobStorage/ src/BlobStorage/
COPY src/Messaging.AmazonSqs/ src/Messaging.AmazonSqs/
COPY src/Messaging/ src/Messaging/
COPY src/Messaging.EntityFrameworkCore/ src/Messaging.EntityFrameworkCore/
COPY src/ServiceDefaults/ src/ServiceDefaults/
COPY src/Hosting.Lambda/ src/Hosting.Lambda/
COPY src/ReadModel/ src/ReadModel/
COPY src/Identity/ src/Identity/
COPY src/Images/ src/Images/
COPY src/Orders.Api/ src/Orders.Api/
COPY src/Payments.Worker/ src/Payments.Worker/
COPY src/Notifications.Worker/ src/Notifications.Worker/
COPY src/Images.Worker/ src/Images.Worker/
COPY src/Search.Worker/ src/Search.Worker/
# ReadyToRun: the assemblies carry native code for the target, so a new container starts without compiling most of
# its code (docs/running.md has the figures); tiered compilation still recompiles the hot methods.
RUN dotnet publish src/${SERVICE}/${SERVICE}.csproj -c Release -a ${TARGETARCH:-amd64} --self-contained false --no-restore -o /app -p:UseAppHost=false -p:PublishReadyToRun=true

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
ARG SERVICE
WORKDIR /app
# SHOP_ASSEMBLY is for the entry point and the health check below: an exec-form command does not expand variables.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    SHOP_ASSEMBLY=Shop.${SERVICE}.dll
EXPOSE 8080

# Blob storage on disk lives on a volume shared by the services that keep blobs (compose sets BlobStorage__Disk__Root
# to this folder). The folder exists in the image, owned by the app user, so that a fresh named volume mounted on it
# inherits that owner and the non-root process can write, whichever service mounts it first.
RUN mkdir -p /data/blobs && chown "$APP_UID" /data/blobs

COPY --from=build /app ./
USER $APP_UID

# The service binary probes itself (runtime images have no curl); compose asks /health/ready instead.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD dotnet "$SHOP_ASSEMBLY" --probe /health/live
# exec: the service replaces the shell as the container's main process and gets its stop signal; "$@" passes the
# command on (`docker compose run search-worker --rebuild`).
ENTRYPOINT ["/bin/sh", "-c", "exec dotnet \"$SHOP_ASSEMBLY\" \"$@\"", "shop"]
