// YARP's own getting-started proxy, reading its routes and clusters from the configuration section
// the benchmark gives Ginx (GinxBench, on the command line), so that both forward the same way.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("GinxBench"));

var app = builder.Build();
app.MapReverseProxy();
app.Run();
