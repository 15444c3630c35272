using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// <c>{ "RequestHeaderClientAddress": "X-Real-IP" }</c>: sets that request header to the client's
/// address, as nginx's <c>proxy_set_header X-Real-IP $remote_addr</c> does. YARP's X-Forwarded
/// transforms only write the <c>X-Forwarded-*</c> and <c>Forwarded</c> headers.
/// </summary>
internal sealed class ClientAddressHeaderTransformFactory : ITransformFactory
{
    /// <summary>The transform's key; its value names the header.</summary>
    public const string Key = "RequestHeaderClientAddress";

    public bool Validate(TransformRouteValidationContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        if (!transformValues.TryGetValue(Key, out var header))
        {
            return false;
        }

        if (transformValues.Count != 1 || string.IsNullOrWhiteSpace(header))
        {
            context.Errors.Add(new ArgumentException($"The transform '{Key}' takes one header name and nothing else."));
        }

        return true;
    }

    public bool Build(TransformBuilderContext context, IReadOnlyDictionary<string, string> transformValues)
    {
        if (!transformValues.TryGetValue(Key, out var header))
        {
            return false;
        }

        context.RequestTransforms.Add(new ClientAddressHeaderTransform(header));
        return true;
    }

    private sealed class ClientAddressHeaderTransform(string header) : RequestTransform
    {
        public override ValueTask ApplyAsync(RequestTransformContext context)
        {
            RemoveHeader(context, header);
            if (context.HttpContext.Connection.RemoteIpAddress is { } address)
            {
                AddHeader(context, header, address.ToString());
            }

            return ValueTask.CompletedTask;
        }
    }
}
