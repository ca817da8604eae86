// A one-workload shop namespace whose every pod is isolated: the manifests the CLI's exit-code tests simulate.

/**
 * Namespace `shop` with one pod `web` (app: web, port 8080), its Service, and a NetworkPolicy that
 * selects every pod and allows nothing: every cell into `web` is a deny in the policy model.
 */
export const SHOP_CLOSED = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: closed, namespace: shop}
spec: {podSelector: {}}
`;
