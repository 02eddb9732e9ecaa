"""The asynchronous pipeline's shared code: job ids, executions, results, status, job API.

The state machine (statemachine/pipeline.asl.json) chains caption -> translate -> speak; this
package is what the jobs function (upload trigger, result recorder, /jobs routes) is made of.
"""
