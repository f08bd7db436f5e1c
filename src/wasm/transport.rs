//! `Transport` over the host's global `fetch` (gloo-net >= 0.6 binds the global, not
//! `window.fetch`), so one implementation serves browsers, Workers and Node >= 18.

use gloo_net::http::{Method as FetchMethod, RequestBuilder};

use crate::http::{Method, Request, Response, Transport, TransportError};

#[derive(Debug, Default, Clone, Copy)]
pub struct FetchTransport;

impl Transport for FetchTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let fail = |reason: String| TransportError {
            method: request.method.as_str(),
            url: request.url.clone(),
            reason,
        };
        let method = match request.method {
            Method::Get => FetchMethod::GET,
            Method::Post => FetchMethod::POST,
            Method::Put => FetchMethod::PUT,
            Method::Delete => FetchMethod::DELETE,
        };
        let builder = request.headers.iter().fold(
            RequestBuilder::new(&request.url).method(method),
            |b, (k, v)| b.header(k, v),
        );
        let built = match &request.body {
            Some(body) => builder.body(body.as_str()),
            None => builder.build(),
        }
        .map_err(|e| fail(e.to_string()))?;
        let response = built.send().await.map_err(|e| fail(e.to_string()))?;
        let headers = response.headers().entries().collect();
        let status = response.status();
        let body = response.text().await.map_err(|e| fail(e.to_string()))?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}
