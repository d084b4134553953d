using Amazon.CDK;
using Shop.Deploy.Aws;

// `cdk synth` / `cdk deploy` run this (cdk.json); CDK_OUTDIR and CDK_CONTEXT_JSON, set by the CLI, are honoured by App.
NodeRuntime.EnsureOnPath();
var app = new App();
_ = new ShopApp(app, DeploymentSettings.FromContext(app));
app.Synth();
