using Ginx.AppHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

// Aspire streams each resource's logs from the orchestrator in a background service, and that read
// can fail with "resource is being deleted" when a replica is killed and started again at the wrong
// moment. By default one background service's exception stops the host: the whole AppHost, every
// replica and the proxy with it (seen in 5 of 6 test runs on 1 Dec 2026). A lost log stream is not worth that.
builder.Services.Configure<HostOptions>(options => options.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore);
var topology = TopologyOptions.Load(builder.Configuration);

// Endpoints are proxy-less: the balancer must see each replica's own address. Behind the
// orchestrator's proxy a stopped replica would hold connections open instead of refusing them.
var proxy = builder.AddProject<Projects.Ginx_Proxy>("proxy", launchProfileName: null)
    .WithHttpEndpoint(port: topology.ProxyPort, name: "http", isProxied: false)
    .WithAdminEndpoint(topology.AdminPort)
    .WithGrpcListener(topology.GrpcPort)
    .WithHttpHealthCheck("/health")
    .WithProxyTopology(topology)
    .WithTrafficGenerator(topology.Traffic);

var replicas = new List<IResourceBuilder<ProjectResource>>();
for (var i = 1; i <= topology.Replicas; i++)
{
    var backend = builder.AddProject<Projects.Ginx_SampleBackend>(TopologyOptions.ReplicaName(i), launchProfileName: null)
        .WithHttpEndpoint(name: "http", isProxied: false)
        .WithGrpcEndpoint()
        .WithHttpHealthCheck("/health")
        .WithChaosCommands();

    proxy.WithBalancedDestination(backend, topology)
        .WaitFor(backend);
    replicas.Add(backend);
}

proxy.WithProxyViewOn(replicas);
builder.WithResourceExitLog()
    .WithShortTelemetryExportSchedule();

builder.Build().Run();
