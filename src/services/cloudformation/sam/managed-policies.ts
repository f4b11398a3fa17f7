// Managed policy names SAM turns into ARNs (its bundled map, samtranslator/internal/data): the
// AWS managed policies a Lambda function's role commonly names. Names not listed stay as they are,
// as SAM leaves a name it cannot map.
const SERVICE_ROLE = new Set([
  "AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSLambdaRole", "AWSLambdaENIManagementAccess",
  "AWSLambdaKinesisExecutionRole", "AWSLambdaDynamoDBExecutionRole", "AWSLambdaSQSQueueExecutionRole", "AWSLambdaMSKExecutionRole",
  "AWSLambdaBasicDurableExecutionRolePolicy",
]);
const TOP_LEVEL = new Set([
  "AmazonS3ReadOnlyAccess", "AmazonS3FullAccess", "AmazonEC2ReadOnlyAccess", "AmazonEC2FullAccess", "AmazonVPCReadOnlyAccess",
  "AmazonVPCFullAccess", "AmazonDynamoDBFullAccess", "AmazonDynamoDBReadOnlyAccess", "AmazonSQSFullAccess", "AmazonSNSFullAccess",
  "AWSLambda_FullAccess", "AWSLambda_ReadOnlyAccess", "AWSXRayDaemonWriteAccess", "AWSXrayWriteOnlyAccess", "CloudWatchLogsFullAccess",
  "CloudWatchLambdaInsightsExecutionRolePolicy", "SecretsManagerReadWrite", "AmazonSSMReadOnlyAccess", "IAMReadOnlyAccess",
  "ReadOnlyAccess", "AdministratorAccess", "PowerUserAccess",
]);

export function managedPolicyArn(name: string, partition = "aws"): string {
  if (SERVICE_ROLE.has(name)) return `arn:${partition}:iam::aws:policy/service-role/${name}`;
  if (TOP_LEVEL.has(name)) return `arn:${partition}:iam::aws:policy/${name}`;
  return name;
}
