"""The HTTP API's routes, read from template.yaml: its AWS::ApiGatewayV2::Route resources
(each bound to a function through its integration), and any SAM HttpApi events of functions.
Authorization is not emulated: locally every route is open (docs/deploy.md "Authorization").

The local gateway routes exactly what API Gateway would: a route the template does not declare
is a 404 here too. `{name}` matches one path segment, `{name+}` the rest of the path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST, ... or ANY
    path: str  # as in the template, e.g. /jobs/{id}
    function: str  # logical id of the function, e.g. JobsApiFunction
    pattern: re.Pattern[str]

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Path parameters when method and path match, else None."""
        if self.method not in ("ANY", method.upper()):
            return None
        found = self.pattern.fullmatch(path)
        return None if found is None else found.groupdict()


def compile_path(path: str) -> re.Pattern[str]:
    parts = []
    for segment in re.split(r"(\{[^}]+\})", path):
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            greedy = name.endswith("+")
            name = name.rstrip("+")
            if not name.isidentifier():
                raise ValueError(f"unsupported path parameter {segment!r} in {path!r}")
            parts.append(f"(?P<{name}>.+)" if greedy else f"(?P<{name}>[^/]+)")
        else:
            parts.append(re.escape(segment))
    return re.compile("".join(parts))


def http_api_routes(template: dict[str, Any]) -> list[Route]:
    """Every route of the HTTP API, most specific path first."""
    routes = gateway_routes(template)
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        events = (resource.get("Properties") or {}).get("Events") or {}
        for event in events.values():
            if event.get("Type") != "HttpApi":
                continue
            props = event.get("Properties") or {}
            method = str(props.get("Method", "ANY")).upper()
            method = "ANY" if method in ("*", "X-AMAZON-APIGATEWAY-ANY-METHOD") else method
            path = str(props.get("Path", "/$default"))
            routes.append(Route(method, path, logical_id, compile_path(path)))
    # API Gateway picks the most specific route: literal paths before parameters, longer first.
    return sorted(routes, key=lambda r: ("{" in r.path, r.method == "ANY", -len(r.path)))


def gateway_routes(template: dict[str, Any]) -> list[Route]:
    """AWS::ApiGatewayV2::Route resources: `RouteKey: POST /caption`, `Target:
    integrations/${CaptionIntegration}`, whose IntegrationUri is `!GetAtt CaptionFunction.Arn`."""
    resources = template["Resources"]
    routes = []
    for resource in resources.values():
        if resource.get("Type") != "AWS::ApiGatewayV2::Route":
            continue
        props = resource.get("Properties") or {}
        target = props.get("Target") or {}
        text = target.get("Fn::Sub") if isinstance(target, dict) else target
        found = re.fullmatch(r"integrations/\$\{(\w+)\}", str(text))
        if found is None:
            raise ValueError(f"unsupported route target {target!r}")
        uri = (resources[found.group(1)].get("Properties") or {}).get("IntegrationUri")
        attribute = uri.get("Fn::GetAtt") if isinstance(uri, dict) else None
        if attribute is None:
            raise ValueError(f"route {props.get('RouteKey')!r}: integration is not !GetAtt X.Arn")
        function = attribute.split(".")[0] if isinstance(attribute, str) else str(attribute[0])
        method, _, path = str(props["RouteKey"]).partition(" ")
        routes.append(Route(method.upper(), path, function, compile_path(path)))
    return routes


def find_route(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        params = route.match(method, path)
        if params is not None:
            return route, params
    return None


def allowed_methods(routes: list[Route], path: str) -> list[str]:
    return sorted({r.method for r in routes if r.pattern.fullmatch(path)})
