// SPDX-License-Identifier: MIT
// Devnet stand-in for OP-Stack's L2StandardBridge: the relayer finalizes L1 deposits (ETH or a mintable token).
pragma solidity ^0.8.24;

interface IL2MintableERC20 {
    function remoteToken() external view returns (address);
    function mint(address to, uint256 amount) external;
}

contract L2StandardBridge {
    /// OP's Predeploys.LEGACY_ERC20_ETH: the "l2Token" of ETH deposits.
    address public constant LEGACY_ERC20_ETH = 0xDeadDeAddeAddEAddeadDEaDDEAdDeaDDeAD0000;

    address public immutable relayer;
    /// Highest L1 deposit nonce already finalized plus one; guards against a double finalize.
    uint256 public nextDepositNonce;

    event DepositFinalized(
        address indexed l1Token,
        address indexed l2Token,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );

    /// Like OP's legacy DepositFailed: the deposit could not be credited on L2 (funds stay locked on L1 here).
    event DepositFailed(
        address indexed l1Token,
        address indexed l2Token,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );

    error OnlyRelayer();
    error WrongNonce(uint256 expected, uint256 got);
    error WrongValue();
    error FinalizeFailed();
    error EthTransferFailed();

    constructor(address relayer_) {
        relayer = relayer_;
    }

    /// @notice OP's signature; ETH deposits carry their amount as msg.value (the relayer pays it). Reverts on failure.
    function finalizeDeposit(
        address _l1Token,
        address _l2Token,
        address _from,
        address _to,
        uint256 _amount,
        bytes calldata _extraData
    ) external payable {
        if (msg.sender != relayer) revert OnlyRelayer();
        if (!_finalize(_l1Token, _l2Token, _to, _amount)) revert FinalizeFailed();
        emit DepositFinalized(_l1Token, _l2Token, _from, _to, _amount, _extraData);
    }

    /**
     * @notice Finalizes L1 deposit number `nonce` exactly once and in order (the devnet relayer's entry point).
     * A deposit that cannot be credited (wrong L2 token, recipient refusing ETH) emits DepositFailed, refunds the
     * relayer's msg.value and still consumes the nonce, so one bad deposit never blocks the ones behind it.
     */
    function finalizeDepositWithNonce(
        uint256 nonce,
        address _l1Token,
        address _l2Token,
        address _from,
        address _to,
        uint256 _amount,
        bytes calldata _extraData
    ) external payable {
        if (msg.sender != relayer) revert OnlyRelayer();
        if (nonce != nextDepositNonce) revert WrongNonce(nextDepositNonce, nonce);
        nextDepositNonce = nonce + 1;
        if (_finalize(_l1Token, _l2Token, _to, _amount)) {
            emit DepositFinalized(_l1Token, _l2Token, _from, _to, _amount, _extraData);
        } else {
            emit DepositFailed(_l1Token, _l2Token, _from, _to, _amount, _extraData);
            if (msg.value > 0) {
                (bool refunded, ) = msg.sender.call{value: msg.value}("");
                if (!refunded) revert EthTransferFailed();
            }
        }
    }

    function _finalize(address _l1Token, address _l2Token, address _to, uint256 _amount) private returns (bool) {
        if (_l1Token == address(0) && _l2Token == LEGACY_ERC20_ETH) {
            if (msg.value != _amount) revert WrongValue();
            (bool ok, ) = _to.call{value: _amount}("");
            return ok;
        }
        if (msg.value != 0) revert WrongValue();
        if (_l2Token.code.length == 0) return false;
        try IL2MintableERC20(_l2Token).remoteToken() returns (address remote) {
            if (remote != _l1Token) return false;
        } catch {
            return false;
        }
        try IL2MintableERC20(_l2Token).mint(_to, _amount) {
            return true;
        } catch {
            return false;
        }
    }
}
