using Ginx.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
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
