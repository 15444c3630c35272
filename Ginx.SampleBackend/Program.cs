using Ginx.SampleBackend;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<ReplicaIdentity>();
builder.Services.AddSingleton<ChaosState>();
builder.Services.AddSingleton<RequestStats>();

var app = builder.Build();

app.UseExceptionHandler();
app.Use((context, next) =>
{
    context.Response.Headers[ReplicaIdentity.HeaderName] = context.RequestServices.GetRequiredService<ReplicaIdentity>().Name;
    return next(context);
});
app.UseRouting();
app.UseMiddleware<ChaosMiddleware>();

app.MapDefaultEndpoints();
app.MapBackendEndpoints();

app.Run();
