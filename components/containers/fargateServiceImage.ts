import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { transform } from "../core/transform";
import { FargateServiceArgs, isDockerfileImage } from "./fargateServiceArgs";
import { FargateServicePlan, REPO_ROOT, keepLastImagesPolicy } from "./fargateServicePlan";

/** A service's image: built and pushed here, or given. */
export interface ServiceImage {
  repository?: aws.ecr.Repository;
  image?: awsx.ecr.Image;
  imageUri: pulumi.Output<string>;
  /** The repository the execution role may pull from (none for a public image). */
  repositoryArn?: pulumi.Input<string>;
}

/**
 * From a Dockerfile: a repository of its own that scans on push, is KMS-encrypted and keeps the
 * last N images, and the image built and pushed into it. From a URI: nothing to create.
 */
export function createServiceImage(
  name: string,
  args: FargateServiceArgs,
  plan: FargateServicePlan,
  parent: pulumi.Resource,
): ServiceImage {
  if (!isDockerfileImage(args.image)) {
    return { imageUri: pulumi.output(args.image.uri), repositoryArn: args.image.repositoryArn };
  }
  const t = args.transform ?? {};
  const repository = new aws.ecr.Repository(
    ...transform(
      t.repository,
      name,
      {
        imageScanningConfiguration: { scanOnPush: true },
        // awsx tags each build with a stable hash of its inputs and re-pushes that tag, so
        // tags must be mutable; the task definition pins the image by digest instead.
        imageTagMutability: "MUTABLE",
        encryptionConfigurations: [{ encryptionType: "KMS" }],
        forceDelete: args.forceDeleteRepository ?? false,
      },
      { parent },
    ),
  );
  new aws.ecr.LifecyclePolicy(
    ...transform(
      t.lifecyclePolicy,
      name,
      { repository: repository.name, policy: keepLastImagesPolicy(plan.keepImages) },
      { parent },
    ),
  );
  // Paths relative to the working directory (the project root under `pulumi up`), so the
  // inputs carry no machine-specific prefix and a clean checkout previews with no diff.
  const rel = (p: string) => path.relative(process.cwd(), p) || ".";
  const image = new awsx.ecr.Image(
    ...transform(
      t.image,
      name,
      {
        repositoryUrl: repository.repositoryUrl,
        context: rel(path.resolve(REPO_ROOT, args.image.context ?? ".")),
        dockerfile: rel(plan.dockerfile as string),
        platform: plan.arch === "ARM64" ? "linux/arm64" : "linux/amd64",
        args: args.image.buildArgs,
        target: args.image.target,
      },
      { parent },
    ),
  );
  return { repository, image, imageUri: image.imageUri, repositoryArn: repository.arn };
}
