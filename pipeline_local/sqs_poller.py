"""Lambda's SQS event source mapping, in this process: the local stand-in for AWS's poller.

moto has SQS (queues, visibility timeouts, receive counts, redrive to a dead-letter queue) but
its own event source mapping invokes the function on every SendMessage and ignores partial
batch responses. This poller does what Lambda does instead, per template.yaml's
AWS::Lambda::EventSourceMapping:

- receive up to BatchSize messages (the visibility timeout starts),
- invoke the function once with them as an SQS event (through moto's Lambda, so the moto
  bridge's fault injection applies),
- on a function error: delete nothing (every message comes back after the visibility timeout),
- else delete every message except those named in `batchItemFailures`
  (FunctionResponseTypes: ReportBatchItemFailures); an unknown identifier fails the batch;
- moto's SQS moves a message to the dead-letter queue once it has been received
  maxReceiveCount times, as SQS does.

`ScalingConfig.MaximumConcurrency` pollers run at once. Each loop is bounded by `stop()`.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

IDLE_WAIT_S = 0.05


@dataclass
class PollerStats:
    batches: int = 0
    function_errors: int = 0
    partial_failures: int = 0  # messages reported in batchItemFailures
    deleted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


class EventSourcePoller:
    def __init__(
        self,
        *,
        sqs: Any,
        lambda_client: Any,
        queue_url: str,
        queue_arn: str,
        function_name: str,
        batch_size: int = 10,
        report_batch_item_failures: bool = True,
        visibility_timeout_s: int = 30,
        concurrency: int = 2,
        region: str = "us-east-1",
    ) -> None:
        self.sqs = sqs
        self.lam = lambda_client
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.function_name = function_name
        self.batch_size = batch_size
        self.report_failures = report_batch_item_failures
        self.visibility_timeout_s = visibility_timeout_s
        self.concurrency = concurrency
        self.region = region
        self.stats = PollerStats()
        self._stop = threading.Event()
        # moto's ReceiveMessage is not atomic across threads (two pollers can get the same
        # message, and the older receipt handle then fails to delete it): one receive at a time.
        self._receiving = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> EventSourcePoller:
        for index in range(self.concurrency):
            thread = threading.Thread(
                target=self._run, name=f"sqs-poller-{self.function_name}-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self.poll_once():
                self._stop.wait(IDLE_WAIT_S)

    def poll_once(self) -> bool:
        """One receive -> invoke -> delete round; False when the queue had nothing visible."""
        with self._receiving:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=self.batch_size,
                VisibilityTimeout=self.visibility_timeout_s,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
            ).get("Messages", [])
        if not messages:
            return False
        response = self.lam.invoke(
            FunctionName=self.function_name, Payload=json.dumps(self.event(messages)).encode()
        )
        payload = response["Payload"].read()
        self.stats.add(batches=1)
        if response.get("FunctionError"):
            self.stats.add(function_errors=1)
            return True  # the whole batch returns after the visibility timeout
        done = self.succeeded(messages, payload)
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        self.stats.add(deleted=len(done), partial_failures=len(messages) - len(done))
        return True

    def succeeded(self, messages: list[dict[str, Any]], payload: bytes) -> list[dict[str, Any]]:
        """The messages Lambda would delete given the function's answer."""
        if not self.report_failures:
            return messages
        try:
            answer = json.loads(payload or b"null")
        except ValueError:
            answer = None
        failures = (answer or {}).get("batchItemFailures") if isinstance(answer, dict) else None
        if not failures:
            return messages
        failed = {str(item.get("itemIdentifier") or "") for item in failures}
        ids = {m["MessageId"] for m in messages}
        if not failed <= ids:  # Lambda treats an unknown or empty identifier as "all failed"
            return []
        return [m for m in messages if m["MessageId"] not in failed]

    def event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "messageAttributes": {},
                    "md5OfBody": m.get("MD5OfBody", ""),
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.queue_arn,
                    "awsRegion": self.region,
                }
                for m in messages
            ]
        }
