import { type Client, Metadata, type MethodDefinition } from "@grpc/grpc-js";

/** A deadline `ms` from now, as grpc-js takes it. */
export function deadlineAfter(ms: number): Date {
  return new Date(Date.now() + ms);
}

/**
 * One unary call through any client of the service, by its generated method definition. Rejects with the raw
 * grpc-js ServiceError so the caller can tell transport failures (retry elsewhere) from answers (fromGrpcError).
 */
export function callUnary<Req, Res>(
  client: Client,
  method: MethodDefinition<Req, Res>,
  request: Req,
  deadline: Date,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      new Metadata(),
      { deadline },
      (error, response) => {
        if (error) reject(error);
        else if (response === undefined) reject(new Error(`${method.path} answered without a message`));
        else resolve(response);
      },
    );
  });
}
